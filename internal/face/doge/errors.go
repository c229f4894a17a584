package doge

import (
	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/friend"
	"plaza/internal/live"
	"plaza/internal/market"
	"plaza/internal/media"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/pet"
	"plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	"plaza/internal/showcase"
	"plaza/internal/wallet"
)

// The document's status codes.
const (
	stUnknown   = 0  // 未知错误
	stOK        = 1  // 成功
	stNoRight   = 2  // 权限不足
	stNoAccount = 3  // 帐号不存在
	stBadData   = 4  // 数据错误
	stBadPass   = 5  // 密码错误
	stExists    = 6  // 已存在
	stNotFound  = 7  // 不存在
	stExpired   = 8  // 已过期
	stCodeWrong = 11 // 验证码错误
)

// answer is the envelope's status and msg of an error.
type answer struct {
	Status int
	Msg    string
}

// codes is the face's table from core errors to the document's statuses
// (errs.Codes): a test checks that it maps every kind and every reason.
var codes = errs.Codes[answer]{
	Kinds: map[errs.Kind]answer{
		errs.Internal:          {stUnknown, "未知错误"},
		errs.Invalid:           {stBadData, "数据错误"},
		errs.Unauthenticated:   {stNoRight, "权限不足"},
		errs.Forbidden:         {stNoRight, "权限不足"},
		errs.NotFound:          {stNotFound, "不存在"},
		errs.Conflict:          {stExists, "已存在"},
		errs.InsufficientFunds: {stBadData, "余额不足"},
		errs.OutOfStock:        {stBadData, "库存不足"},
		errs.RateLimited:       {stUnknown, "请求过于频繁"},
		errs.Unavailable:       {stUnknown, "服务暂不可用"},
		errs.CodeInvalid:       {stCodeWrong, "验证码错误"},
		errs.CodeExhausted:     {stCodeWrong, "验证码错误"},
		errs.Expired:           {stExpired, "已过期"},
	},
	Reasons: map[errs.Reason]answer{
		account.ReasonNotRegistered: {stNoAccount, "帐号不存在"},
		account.ReasonWrongPassword: {stBadPass, "密码错误"},
		pet.ReasonNoPoop:            {stNotFound, "无屎可捡"},
	},
	ByKind: []errs.Reason{
		account.ReasonNoUser, // GET /api/v1/user/?user_id= of nobody: 7 (COMPAT)
		account.ReasonRegistered,
		account.ReasonBanned,
		account.ReasonBadPhone,
		account.ReasonBadEmail,
		wallet.ReasonUnknownCurrency,
		wallet.ReasonKeyReused,
		wallet.ReasonBalanceLimit,
		pet.ReasonNoPet,
		pet.ReasonHasPet,
		pet.ReasonDone,
		pet.ReasonNoGoods,
		pet.ReasonNoGift,
		pet.ReasonCarrying,
		pet.ReasonAction,
		// The friends core (the live face's): this face does not reach it.
		friend.ReasonSelf,
		friend.ReasonAlreadyFriends,
		friend.ReasonNoRequest,
		friend.ReasonNotAddressee,
		friend.ReasonNotFriends,
		// Reasons of cores this face does not reach.
		sms.ReasonArrears,
		sms.ReasonFailed,
		sms.ReasonUnavailable,
		mail.ReasonUnavailable,
		media.Reason,
		content.ReasonArticle,
		content.ReasonComment,
		showcase.ReasonMaster,
		showcase.ReasonMerchant,
		showcase.ReasonCloth,
		showcase.ReasonGame,
		showcase.ReasonGameComment,
		showcase.ReasonProject,
		showcase.ReasonTicket,
		showcase.ReasonTicketComment,
		orders.ReasonOrder,
		orders.ReasonPaid,
		orders.ReasonRefunded, // refunds: the admin face's
		orders.ReasonNotPaid,
		market.ReasonRefunded,
		market.ReasonInUse,
		orders.ReasonClosed,
		payment.ReasonMethodUnavailable,
		payment.ReasonNotPending,
		payment.ReasonUnknown,
		live.ReasonRoomNone, // the live face's rooms
		live.ReasonRoomClosed,
		live.ReasonRoomKey,
		live.ReasonGoldAmount, // the live face's gold
		live.ReasonGiftSelf,
		admins.ReasonTOTPRequired, // the admin face's sign-in
		admins.ReasonTOTPInvalid,
		admins.ReasonCSRF,
	},
	Default: answer{stUnknown, "未知错误"},
}

func answerOf(err error) answer { return codes.Of(err) }
