package yuanyi

import (
	"plaza/internal/errs"
	"plaza/internal/media"
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

// Reasons of NotFound errors that the client tells apart.
const (
	ReasonUser    = "user"
	ReasonArticle = "article"
	ReasonTicket  = "ticket"
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

// codeOf maps a core error to the client's code.
func codeOf(err error) int {
	reason := errs.ReasonOf(err)
	if reason == media.Reason {
		// An unknown, expired or used media id, or a file that is no
		// acceptable image: a bad parameter.
		switch errs.KindOf(err) {
		case errs.Invalid, errs.NotFound, errs.Conflict, errs.Expired:
			return codeBadParam
		}
	}
	switch errs.KindOf(err) {
	case errs.Invalid:
		if reason == errs.ReasonBadPhone {
			return codeBadPhone
		}
		return codeBadParam
	case errs.Unauthenticated:
		if reason == errs.ReasonWrongPassword {
			return codeWrongPassword
		}
		return codeAuthFailed
	case errs.Forbidden:
		// A banned account too, whatever it asks (sign-in, a code, a
		// password reset): one fact, one code (docs/compat.md).
		return codeNoPermission
	case errs.NotFound:
		switch reason {
		case errs.ReasonAccountNotFound, ReasonUser:
			return codeNoUser
		case ReasonArticle:
			return codeNoArticle
		case ReasonTicket:
			return codeNoTicket
		}
		return codeBadParam
	case errs.Conflict:
		if reason == errs.ReasonAccountExists {
			return codePhoneTaken
		}
		return codeBadParam
	case errs.RateLimited:
		return codeUnavailable
	case errs.CodeInvalid, errs.CodeExhausted, errs.Expired:
		return codeSMSCode
	case errs.Unavailable:
		if reason == errs.ReasonMailUnavailable {
			return codeUnavailable
		}
		return codeSMSFailed
	case errs.OutOfStock:
		return codeTicketGone
	}
	return codeUnknown
}
