package member

import "plaza/internal/errs"

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

// codeOf maps a core error to the face's code.
func codeOf(err error) int {
	reason := errs.ReasonOf(err)
	switch errs.KindOf(err) {
	case errs.Invalid:
		return codeInvalid
	case errs.Unauthenticated:
		if reason == errs.ReasonWrongPassword {
			return codeWrongPassword
		}
		return codeBadToken
	case errs.Forbidden:
		return codeForbidden
	case errs.NotFound:
		switch reason {
		case errs.ReasonAccountNotFound:
			return codeNotRegistered
		case reasonNoRoute:
			return codeNoPath
		}
		return codeNotFound
	case errs.Conflict:
		if reason == errs.ReasonAccountExists {
			return codeRegistered
		}
		return codeGeneric
	case errs.RateLimited:
		return codeTooFrequent
	case errs.CodeInvalid, errs.CodeExhausted, errs.Expired:
		return codeBadCode
	case errs.Unavailable:
		switch reason {
		case errs.ReasonSMSArrears:
			return codeSMSArrears
		case errs.ReasonSMSFailed:
			return codeSMSError
		case errs.ReasonMailUnavailable:
			return codeMailUnavailable
		}
		return codeSMSUnavailable
	}
	return codeGeneric
}
