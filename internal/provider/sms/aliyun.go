package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	dysms "github.com/alibabacloud-go/dysmsapi-20170525/v5/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"

	"plaza/internal/errs"
)

// AliyunEndpoint is the public endpoint of Aliyun's SMS API (dysmsapi).
const AliyunEndpoint = "https://dysmsapi.aliyuncs.com"

// AliyunConfig is an Aliyun SMS account and the template of the code
// message.
type AliyunConfig struct {
	AccessKeyID     string
	AccessKeySecret string
	Endpoint        string // scheme://host[:port]; empty: AliyunEndpoint
	SignName        string // 签名
	TemplateCode    string // SMS_... of an approved template
	TemplateParam   string // the code's variable in the template; empty: "code"
	Timeout         time.Duration
}

// Aliyun sends codes with Aliyun's SendSms (dysmsapi 2017-05-25) through
// the vendor's SDK, which signs with ACS3-HMAC-SHA256. One attempt per
// message, bounded by the config's Timeout.
type Aliyun struct {
	client  *dysms.Client
	cfg     AliyunConfig
	timeout time.Duration
}

// NewAliyun checks c and returns the sender. Errors name the settings,
// never their values.
func NewAliyun(c AliyunConfig) (*Aliyun, error) {
	if c.TemplateParam == "" {
		c.TemplateParam = "code"
	}
	if c.Endpoint == "" {
		c.Endpoint = AliyunEndpoint
	}
	if err := missing("aliyun", [2]string{"access key id", c.AccessKeyID}, [2]string{"access key secret", c.AccessKeySecret},
		[2]string{"sign name", c.SignName}, [2]string{"template code", c.TemplateCode}); err != nil {
		return nil, err
	}
	scheme, host, err := ParseEndpoint(c.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("sms aliyun: %w", err)
	}
	timeout := timeoutOr(c.Timeout)
	ms := int(timeout.Milliseconds())
	client, err := dysms.NewClient(&openapiutil.Config{
		AccessKeyId:     dara.String(c.AccessKeyID),
		AccessKeySecret: dara.String(c.AccessKeySecret),
		Endpoint:        dara.String(host),
		Protocol:        dara.String(scheme),
		ConnectTimeout:  dara.Int(ms),
		ReadTimeout:     dara.Int(ms),
		UserAgent:       dara.String("plaza"),
	})
	if err != nil {
		return nil, fmt.Errorf("sms aliyun: %w", err)
	}
	return &Aliyun{client: client, cfg: c, timeout: timeout}, nil
}

// Send delivers m's code with the configured template. Failures are
// *errs.Error of kind Unavailable with the reason of AliyunReason.
func (a *Aliyun) Send(ctx context.Context, m Message) error {
	param, err := json.Marshal(map[string]string{a.cfg.TemplateParam: m.Code})
	if err != nil {
		return smsError(ReasonFailed, fmt.Errorf("sms aliyun: encode: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	resp, err := a.client.SendSmsWithContext(ctx, &dysms.SendSmsRequest{
		PhoneNumbers:  dara.String(m.To),
		SignName:      dara.String(a.cfg.SignName),
		TemplateCode:  dara.String(a.cfg.TemplateCode),
		TemplateParam: dara.String(string(param)),
	}, &dara.RuntimeOptions{})
	if err != nil {
		var se *tea.SDKError
		if errors.As(err, &se) {
			code, status := dara.StringValue(se.Code), dara.IntValue(se.StatusCode)
			reason := AliyunReason(code)
			if status >= 500 {
				reason = ReasonUnavailable
			}
			shown := ""
			if status != 0 {
				shown = fmt.Sprintf("HTTP %d ", status)
			}
			return smsError(reason, fmt.Errorf("sms aliyun: %s%s: %s", shown, code, strings.TrimSpace(dara.StringValue(se.Message))))
		}
		// Network errors, timeouts, answers that are no JSON. The URL of
		// a *url.Error carries the phone and the code: drop it.
		return smsError(ReasonUnavailable, fmt.Errorf("sms aliyun: %w", stripURL(err)))
	}
	if resp == nil || resp.Body == nil {
		return smsError(ReasonUnavailable, errors.New("sms aliyun: empty answer"))
	}
	b := resp.Body
	code := dara.StringValue(b.Code)
	if code == "OK" {
		return nil
	}
	return smsError(AliyunReason(code), fmt.Errorf("sms aliyun: %s: %s%s", code, dara.StringValue(b.Message), requestID(dara.StringValue(b.RequestId))))
}

// AliyunReason maps an error code of Aliyun's SendSms (the Code of its
// answer, or of the API's error answer) to a reason. Codes not named here
// are ReasonFailed: the vendor refused the message.
func AliyunReason(code string) errs.Reason {
	if r, ok := aliyunReasons[code]; ok {
		return r
	}
	if strings.Contains(code, "Throttling") { // the API's own rate limit: Throttling, Throttling.User, Throttling.Api...
		return ReasonUnavailable
	}
	return ReasonFailed
}

// aliyunReasons: the codes of Aliyun's "API错误码" (help.aliyun.com
// document 101346) and of its OpenAPI gateway that are not refusals of the
// message. docs/deploy.md lists the table.
var aliyunReasons = map[string]errs.Reason{
	// The account wants money.
	"isv.AMOUNT_NOT_ENOUGH":       ReasonArrears, // 账户余额不足
	"isv.OUT_OF_SERVICE":          ReasonArrears, // 业务停机 (balance at zero)
	"isv.BILLING_DEDUCTION_ERROR": ReasonArrears, // 计费扣费异常
	// The vendor is down or busy; the message may go through later.
	"isp.SYSTEM_ERROR":   ReasonUnavailable,
	"isp.GATEWAY_ERROR":  ReasonUnavailable,
	"isp.UNKNOWN":        ReasonUnavailable,
	"InternalError":      ReasonUnavailable,
	"ServiceUnavailable": ReasonUnavailable,
	"ServiceTimeout":     ReasonUnavailable,
	"RequestTimeout":     ReasonUnavailable,
}
