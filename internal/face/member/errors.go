package member

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

// Codes of the member face (seed 002).
const (
	codeOK              = 0
	codeGeneric         = 10000
	codeNotFound        = 10001
	codeNoPath          = 10002
	codeForbidden       = 10003
	codeBadToken        = 10004
	codeInvalid         = 10005
	codeNotRegistered   = 10006
	codeWrongPassword   = 10007
	codeBadCode         = 10008
	codeRegistered      = 10009
	codeTooFrequent     = 10010
	codeSMSArrears      = 10011
	codeSMSError        = 10012
	codeSMSUnavailable  = 10013
	codeMailUnavailable = 10014
)

// messages are the document's own words for each code.
var messages = map[int]string{
	codeOK:              "success",
	codeGeneric:         "通用错误",
	codeNotFound:        "数据未查到",
	codeNoPath:          "访问的路径不存在",
	codeForbidden:       "该用户没有访问或操作权限",
	codeBadToken:        "无效的Token, 可能是错误的, 失效的, 用户已被删除",
	codeInvalid:         "请求字段不合法",
	codeNotRegistered:   "用户未注册",
	codeWrongPassword:   "密码错误",
	codeBadCode:         "无效的验证码",
	codeRegistered:      "用户已注册",
	codeTooFrequent:     "短信发送太频繁",
	codeSMSArrears:      "短信服务欠费",
	codeSMSError:        "短信服务其他错误信息",
	codeSMSUnavailable:  "短信服务不可用, 可能是服务变更或参数错误导致",
	codeMailUnavailable: "邮件服务不可用, 可能是服务变更或参数错误导致",
}

// codes is the face's table from core errors to its codes (errs.Codes):
// a test checks that it maps every kind and every reason any core declares.
var codes = errs.Codes[int]{
	Kinds: map[errs.Kind]int{
		errs.Internal:          codeGeneric,
		errs.Invalid:           codeInvalid,
		errs.Unauthenticated:   codeBadToken,
		errs.Forbidden:         codeForbidden,
		errs.NotFound:          codeNotFound,
		errs.Conflict:          codeGeneric,
		errs.InsufficientFunds: codeGeneric, // nothing of this face spends money
		errs.RateLimited:       codeTooFrequent,
		errs.CodeInvalid:       codeBadCode,
		errs.CodeExhausted:     codeBadCode,
		errs.Expired:           codeBadCode, // the document's only "expired" is the code's
		errs.OutOfStock:        codeGeneric, // nothing of this face sells stock
		errs.Unavailable:       codeSMSUnavailable,
	},
	// Reasons with a code of their own.
	Reasons: map[errs.Reason]int{
		account.ReasonNotRegistered: codeNotRegistered,
		account.ReasonRegistered:    codeRegistered,
		account.ReasonWrongPassword: codeWrongPassword,
		sms.ReasonArrears:           codeSMSArrears,
		sms.ReasonFailed:            codeSMSError,
		sms.ReasonUnavailable:       codeSMSUnavailable,
		mail.ReasonUnavailable:      codeMailUnavailable,
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
		account.ReasonNoUser,
		account.ReasonBanned, // Forbidden: 10003
		account.ReasonBadPhone,
		account.ReasonBadEmail,
		// Reasons of cores this face does not reach.
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
		orders.ReasonClosed,
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
	Default: codeGeneric,
}

// codeOf maps a core error to the face's code.
func codeOf(err error) int { return codes.Of(err) }
