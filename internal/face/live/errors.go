package live

import (
	"strings"

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

// The document's codes, and 0011 and 0012 where it has none (COMPAT).
const (
	okCode            = "0000" // 成功
	codeRegistered    = "0001" // 该手机号已被注册
	codeOther         = "0002" // 其他错误
	codeCodeWrong     = "0004" // 验证码错误
	codeCodeExhausted = "0005" // 验证码错误次数过多
	codeUnknown       = "0006" // 未知错误
	codeNoUser        = "0007" // 用户不存在
	codeWrongPassword = "0008" // 密码错误
	codeBadRequest    = "0009" // API错误，bad request
	codeFriends       = "0010" // 已经互为好友
	codeBadToken      = "0011" // token 无效或已过期
	codeTooOften      = "0012" // 请求过于频繁
	codeUpdateFailed  = "0013" // 数据库更新错误 (also: not enough gold)
)

// answer is the code and words of an error.
type answer struct {
	Code string
	Msg  string
}

// Codes is the face's table from core errors to the document's codes: a
// test checks that it maps every kind and every reason.
var Codes = errs.Codes[answer]{
	Kinds: map[errs.Kind]answer{
		errs.Internal:          {codeUnknown, "unknown error"},
		errs.Invalid:           {codeBadRequest, "bad request"},
		errs.Unauthenticated:   {codeBadToken, "token invalid or expired"},
		errs.Forbidden:         {codeOther, "not allowed"},
		errs.NotFound:          {codeBadRequest, "not found"},
		errs.Conflict:          {codeOther, "conflict"},
		errs.InsufficientFunds: {codeUpdateFailed, "update failed: not enough gold"},
		errs.OutOfStock:        {codeUpdateFailed, "update failed"},
		errs.RateLimited:       {codeTooOften, "too frequent"},
		errs.Unavailable:       {codeOther, "service unavailable"},
		errs.CodeInvalid:       {codeCodeWrong, "wrong code"},
		errs.CodeExhausted:     {codeCodeExhausted, "too many wrong codes"},
		errs.Expired:           {codeCodeWrong, "the code has expired"},
	},
	Reasons: map[errs.Reason]answer{
		account.ReasonNotRegistered: {codeNoUser, "no such user"},
		account.ReasonNoUser:        {codeNoUser, "no such user"},
		account.ReasonRegistered:    {codeRegistered, "the phone is already registered"},
		account.ReasonWrongPassword: {codeWrongPassword, "wrong password"},
		account.ReasonBanned:        {codeBadToken, "the account is banned"},
		friend.ReasonAlreadyFriends: {codeFriends, "already friends"},
		friend.ReasonNotFriends:     {codeUnknown, "not friends"},
		media.Reason:                {codeUnknown, "not an image, or too large"},
		live.ReasonRoomNone:         {codeBadRequest, "no live room"}, // leave=1 of a room never opened: the document's 0009
		live.ReasonRoomClosed:       {codeBadRequest, "the room is closed"},
	},
	ByKind: []errs.Reason{
		account.ReasonBadPhone,
		account.ReasonBadEmail,
		friend.ReasonSelf,
		friend.ReasonNoRequest,
		friend.ReasonNotAddressee,
		live.ReasonGoldAmount,
		live.ReasonGiftSelf,
		live.ReasonRoomKey,
		wallet.ReasonUnknownCurrency,
		wallet.ReasonKeyReused,
		wallet.ReasonBalanceLimit,
		payment.ReasonMethodUnavailable,
		payment.ReasonNotPending,
		payment.ReasonUnknown,
		sms.ReasonArrears,
		sms.ReasonFailed,
		sms.ReasonUnavailable,
		// Reasons of cores this face does not reach.
		mail.ReasonUnavailable,
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
		pet.ReasonNoPoop,
		pet.ReasonNoPet,
		pet.ReasonHasPet,
		pet.ReasonDone,
		pet.ReasonNoGoods,
		pet.ReasonNoGift,
		pet.ReasonCarrying,
		pet.ReasonAction,
		admins.ReasonTOTPRequired, // the admin face's sign-in
		admins.ReasonTOTPInvalid,
		admins.ReasonCSRF,
	},
	Default: answer{codeUnknown, "unknown error"},
}

// Answer is the code of err and its message, as every answer of the face
// (and the frames of its room chat) shows an error.
func Answer(err error) (code, message string) {
	a := Codes.Of(err)
	msg := a.Msg
	if m := errs.Message(err); m != "" && errs.KindOf(err) != errs.Internal && !strings.Contains(msg, m) {
		msg += ": " + m
	}
	return a.Code, msg
}
