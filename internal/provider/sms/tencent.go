package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	tcsms "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sms/v20210111"

	"plaza/internal/errs"
)

// Tencent Cloud SMS defaults.
const (
	TencentEndpoint = "https://sms.tencentcloudapi.com"
	TencentRegion   = "ap-guangzhou"
)

// TencentConfig is a Tencent Cloud SMS application and the template of the
// code message.
type TencentConfig struct {
	SecretID   string
	SecretKey  string
	AppID      string // SmsSdkAppId, 1400...
	Region     string // empty: TencentRegion
	Endpoint   string // scheme://host[:port]; empty: TencentEndpoint
	SignName   string // 签名
	TemplateID string // an approved template with one variable, the code
	Timeout    time.Duration
}

// Tencent sends codes with Tencent Cloud's SendSms (sms 2021-01-11) through
// the vendor's SDK, which signs with TC3-HMAC-SHA256. One attempt per
// message, bounded by the config's Timeout.
type Tencent struct {
	client  *tcsms.Client
	cfg     TencentConfig
	timeout time.Duration
}

// NewTencent checks c and returns the sender. Errors name the settings,
// never their values.
func NewTencent(c TencentConfig) (*Tencent, error) {
	if c.Region == "" {
		c.Region = TencentRegion
	}
	if c.Endpoint == "" {
		c.Endpoint = TencentEndpoint
	}
	if err := missing("tencent", [2]string{"secret id", c.SecretID}, [2]string{"secret key", c.SecretKey}, [2]string{"app id", c.AppID},
		[2]string{"sign name", c.SignName}, [2]string{"template id", c.TemplateID}); err != nil {
		return nil, err
	}
	scheme, host, err := ParseEndpoint(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("sms tencent: %w", err)
	}
	timeout := timeoutOr(c.Timeout)
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = host
	cpf.HttpProfile.Scheme = strings.ToUpper(scheme)
	cpf.HttpProfile.ReqMethod = "POST"
	// Whole seconds; the context below is the finer bound.
	cpf.HttpProfile.ReqTimeout = int((timeout + time.Second - 1) / time.Second)
	client, err := tcsms.NewClient(common.NewCredential(c.SecretID, c.SecretKey), c.Region, cpf)
	if err != nil {
		return nil, fmt.Errorf("sms tencent: %w", err)
	}
	return &Tencent{client: client, cfg: c, timeout: timeout}, nil
}

// Send delivers m's code with the configured template. Failures are
// *errs.Error of kind Unavailable with the reason of TencentReason, for the
// call's error or for the number's SendStatus.
func (s *Tencent) Send(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	phone := "+" + m.To
	req := tcsms.NewSendSmsRequest()
	req.SmsSdkAppId = common.StringPtr(s.cfg.AppID)
	req.SignName = common.StringPtr(s.cfg.SignName)
	req.TemplateId = common.StringPtr(s.cfg.TemplateID)
	req.TemplateParamSet = common.StringPtrs([]string{m.Code})
	req.PhoneNumberSet = common.StringPtrs([]string{phone})
	resp, err := s.client.SendSmsWithContext(ctx, req)
	if err != nil {
		var te *tcerr.TencentCloudSDKError
		if errors.As(err, &te) {
			msg := te.Message
			if cause := errors.Unwrap(te); cause != nil {
				msg += ": " + stripURL(cause).Error()
			}
			return smsError(TencentReason(te.Code), fmt.Errorf("sms tencent: %s: %s%s", te.Code, msg, requestID(te.RequestId)))
		}
		return smsError(ReasonUnavailable, fmt.Errorf("sms tencent: %w", stripURL(err)))
	}
	if resp == nil || resp.Response == nil {
		return smsError(ReasonUnavailable, errors.New("sms tencent: empty answer"))
	}
	reqID := ""
	if resp.Response.RequestId != nil {
		reqID = *resp.Response.RequestId
	}
	for _, st := range resp.Response.SendStatusSet {
		if st == nil || st.PhoneNumber == nil || *st.PhoneNumber != phone {
			continue
		}
		code, msg := "", ""
		if st.Code != nil {
			code = *st.Code
		}
		if st.Message != nil {
			msg = *st.Message
		}
		if code == "Ok" {
			return nil
		}
		return smsError(TencentReason(code), fmt.Errorf("sms tencent: %s: %s%s", code, msg, requestID(reqID)))
	}
	// No word on the number: the vendor cannot be said to have taken it.
	return smsError(ReasonUnavailable, fmt.Errorf("sms tencent: no send status for the number%s", requestID(reqID)))
}

// TencentReason maps an error code of Tencent Cloud's SendSms (the call's
// Error.Code, a SendStatus.Code, or the SDK's ClientError.*) to a reason.
// Codes not named here are ReasonFailed: the vendor refused the message.
func TencentReason(code string) errs.Reason {
	if r, ok := tencentReasons[code]; ok {
		return r
	}
	head, _, _ := strings.Cut(code, ".")
	switch head {
	case "InternalError", "RequestLimitExceeded": // the vendor's trouble; the API's own rate limit
		return ReasonUnavailable
	}
	return ReasonFailed
}

// tencentReasons: the codes of Tencent Cloud's SMS error list (cloud.tencent.com
// document 382/59177, the common codes of 382/52075) that are not refusals
// of the message, and the exceptions to the rules of TencentReason.
// docs/deploy.md lists the table.
var tencentReasons = map[string]errs.Reason{
	// The account wants money.
	"FailedOperation.InsufficientBalanceInSmsPackage":  ReasonArrears, // 套餐包余量不足
	"UnauthorizedOperation.ServiceSuspendDueToArrears": ReasonArrears, // 欠费停服
	// Our clock is off by minutes: no retry helps.
	"InternalError.RequestTimeException": ReasonFailed,
	// The SDK's own: no answer, or no usable one.
	"ClientError.NetworkError":        ReasonUnavailable,
	"ClientError.HttpStatusCodeError": ReasonUnavailable, // an answer other than 200: a gateway in trouble
	"ClientError.IOError":             ReasonUnavailable,
	"ClientError.ParseJsonError":      ReasonUnavailable,
	"ClientError.CircuitBreakerError": ReasonUnavailable,
}
