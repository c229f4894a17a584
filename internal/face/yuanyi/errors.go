package yuanyi

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

// The client's codes (COMPAT.md, seed 003).
const (
	codeOK            = 0
	codeUnknown       = -1
	codeBadParam      = 400
	codeNoMethod      = 401
	codeBadSig        = 402
	codeNotSignedIn   = 403
	codeAuthFailed    = 404
	codeSMSFailed     = 101
	codeSMSCode       = 102
	codeBadPhone      = 103
	codeWrongPassword = 104
	codePhoneTaken    = 105
	codePhoneUnusable = 106
	codeNoUser        = 107
	codeLoginFailed   = 108
	codeUnavailable   = 110
	codeNoPermission  = 111
	codeNoTicket      = 201
	codeTicketGone    = 202
	codeNoArticle     = 301
)

var texts = map[int]string{
	codeUnknown:       "未知错误",
	codeBadParam:      "参数错误",
	codeNoMethod:      "未知的方法",
	codeBadSig:        "签名错误",
	codeNotSignedIn:   "请先登录",
	codeAuthFailed:    "登录已失效，请重新登录",
	codeSMSFailed:     "短信发送失败",
	codeSMSCode:       "短信验证码错误",
	codeBadPhone:      "手机号格式错误",
	codeWrongPassword: "密码错误",
	codePhoneTaken:    "手机号已注册",
	codePhoneUnusable: "手机号不可用",
	codeNoUser:        "用户不存在",
	codeLoginFailed:   "登录失败",
	codeUnavailable:   "服务繁忙，请稍后再试",
	codeNoPermission:  "没有权限",
	codeNoTicket:      "票不存在",
	codeTicketGone:    "票已售出或已被预订",
	codeNoArticle:     "文章不存在",
}

// codes is the face's table from core errors to its codes (errs.Codes):
// a test checks that it maps every kind and every reason any core declares.
var codes = errs.Codes[int]{
	Kinds: map[errs.Kind]int{
		errs.Internal:          codeUnknown,
		errs.Invalid:           codeBadParam,
		errs.Unauthenticated:   codeAuthFailed,
		errs.Forbidden:         codeNoPermission, // a banned account too, whatever it asks (docs/compat.md)
		errs.NotFound:          codeBadParam,     // an id that names nothing is a bad parameter, but for the reasons below
		errs.Conflict:          codeBadParam,
		errs.InsufficientFunds: codeBadParam, // order_pay from the wallet: the document has no code for it (docs/compat.md)
		errs.RateLimited:       codeUnavailable,
		errs.CodeInvalid:       codeSMSCode,
		errs.CodeExhausted:     codeSMSCode,
		errs.Expired:           codeSMSCode, // an expired SMS code; an expired media id is media.Reason
		errs.OutOfStock:        codeTicketGone,
		errs.Unavailable:       codeUnavailable, // a service down; SMS failures have their own code below
	},
	// Reasons with a code of their own.
	Reasons: map[errs.Reason]int{
		account.ReasonNotRegistered: codeNoUser,
		account.ReasonNoUser:        codeNoUser,
		account.ReasonRegistered:    codePhoneTaken,
		account.ReasonWrongPassword: codeWrongPassword,
		account.ReasonBadPhone:      codeBadPhone,
		sms.ReasonArrears:           codeSMSFailed,
		sms.ReasonFailed:            codeSMSFailed,
		sms.ReasonUnavailable:       codeSMSFailed,
		mail.ReasonUnavailable:      codeUnavailable,
		// An unknown, expired or used media id, or a file that is no
		// acceptable image, whatever its kind: a bad parameter.
		media.Reason:          codeBadParam,
		content.ReasonArticle: codeNoArticle,
		showcase.ReasonTicket: codeNoTicket,
	},
	// Reasons that keep the code of their kind.
	ByKind: []errs.Reason{
		pet.ReasonNoPet,
		pet.ReasonHasPet,
		pet.ReasonNoPoop,
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
		account.ReasonBanned,
		account.ReasonBadEmail,
		content.ReasonComment,
		showcase.ReasonMaster,
		showcase.ReasonMerchant,
		showcase.ReasonCloth,
		showcase.ReasonGame,
		showcase.ReasonGameComment,
		showcase.ReasonProject,
		showcase.ReasonTicketComment,
		orders.ReasonOrder,  // another user's order too (docs/compat.md)
		orders.ReasonClosed, // paying or cancelling a cancelled or expired order
		orders.ReasonPaid,
		orders.ReasonRefunded, // refunds: the admin face's
		orders.ReasonNotPaid,
		market.ReasonRefunded,
		market.ReasonInUse,
		wallet.ReasonUnknownCurrency,
		wallet.ReasonKeyReused,
		wallet.ReasonBalanceLimit,
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
	Default: codeUnknown,
}

// codeOf maps a core error to the client's code.
func codeOf(err error) int { return codes.Of(err) }
