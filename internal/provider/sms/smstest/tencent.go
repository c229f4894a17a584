package smstest

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tencent is a fake of Tencent Cloud's SMS API: SendSms of sms 2021-01-11
// (API 3.0: a JSON POST, the action, version, region and timestamp in
// X-TC-* headers), signed with TC3-HMAC-SHA256.
type Tencent struct {
	*book
	URL string // http://127.0.0.1:port, the endpoint setting
	// The application and template the fake knows; a request naming
	// others is refused as the vendor would. Change them before the first
	// request.
	SecretID, SecretKey  string
	AppID, Region        string
	SignName, TemplateID string
}

// NewTencent starts a fake with fresh credentials; it stops when t ends.
// Its region is not the default one, so a test sees the setting honoured.
func NewTencent(t testing.TB) *Tencent {
	t.Helper()
	f := &Tencent{
		book:       newBook(),
		SecretID:   "AKID" + randomHex(16),
		SecretKey:  randomHex(16),
		AppID:      "1400" + fmt.Sprint(100000+time.Now().UnixNano()%900000),
		Region:     "ap-nanjing",
		SignName:   "广场",
		TemplateID: fmt.Sprint(1000000 + time.Now().UnixNano()%9000000),
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs first: hung requests end
	f.URL = srv.URL
	return f
}

// Env is the settings that point plaza at the fake.
func (f *Tencent) Env() map[string]string {
	return map[string]string{
		"PLAZA_SMS":                    "tencent",
		"PLAZA_SMS_TENCENT_SECRET_ID":  f.SecretID,
		"PLAZA_SMS_TENCENT_SECRET_KEY": f.SecretKey,
		"PLAZA_SMS_TENCENT_APP_ID":     f.AppID,
		"PLAZA_SMS_TENCENT_REGION":     f.Region,
		"PLAZA_SMS_TENCENT_ENDPOINT":   f.URL,
		"PLAZA_SMS_SIGN_NAME":          f.SignName,
		"PLAZA_SMS_TEMPLATE":           f.TemplateID,
	}
}

// Answer makes the fake answer the call with Error.Code = code ("" or
// "Ok": success).
func (f *Tencent) Answer(code string) {
	if code == "Ok" {
		code = ""
	}
	f.set(answer{code: code})
}

// AnswerStatus makes the call succeed with code in the number's SendStatus,
// as the vendor answers a refusal of one number of a batch.
func (f *Tencent) AnswerStatus(code string) { f.set(answer{code: code, perNumber: true}) }

var e164 = regexp.MustCompile(`^\+[0-9]{6,16}$`)

type tencentSend struct {
	PhoneNumberSet   []string
	SmsSdkAppId      string
	SignName         string
	TemplateId       string
	TemplateParamSet []string
	SessionContext   string
	ExtendCode       string
	SenderId         string
}

func (f *Tencent) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if code, why := f.verify(r, body); code != "" {
		f.refuse(code + ": " + why)
		f.callError(w, code, why)
		return
	}
	if a, v := r.Header.Get("X-TC-Action"), r.Header.Get("X-TC-Version"); a != "SendSms" || v != "2021-01-11" {
		f.refuse("action " + a + " version " + v)
		f.callError(w, "InvalidAction", "action "+a+" version "+v)
		return
	}
	if reg := r.Header.Get("X-TC-Region"); reg != f.Region {
		f.refuse("region " + reg)
		f.callError(w, "UnsupportedRegion", "region "+reg)
		return
	}
	var in tencentSend
	if err := json.Unmarshal(body, &in); err != nil {
		f.refuse("body: " + err.Error())
		f.callError(w, "FailedOperation.JsonParseFail", err.Error())
		return
	}
	req := Request{SignName: in.SignName, Template: in.TemplateId}
	if len(in.PhoneNumberSet) == 1 {
		req.To = in.PhoneNumberSet[0]
	}
	if len(in.TemplateParamSet) == 1 {
		req.Code = in.TemplateParamSet[0]
	}
	problem, perNumber := "", false
	switch {
	case in.SmsSdkAppId != f.AppID:
		problem = "InvalidParameterValue.SdkAppIdNotExist"
	case len(in.PhoneNumberSet) != 1:
		problem = "MissingParameter.EmptyPhoneNumberSet"
	case in.SignName != f.SignName:
		problem = "FailedOperation.SignatureIncorrectOrUnapproved"
	case in.TemplateId != f.TemplateID:
		problem = "FailedOperation.TemplateIncorrectOrUnapproved"
	case len(in.TemplateParamSet) != 1:
		problem = "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
	case !e164.MatchString(req.To):
		problem, perNumber = "InvalidParameterValue.IncorrectPhoneNumber", true
	}
	a := answer{code: problem, perNumber: perNumber}
	if problem == "" {
		a = f.answer()
	}
	switch {
	case a.hang:
		req.Answer = "hang"
	case a.status != 0:
		req.Answer = fmt.Sprintf("HTTP %d", a.status)
	case a.code != "":
		req.Answer = a.code
	default:
		req.Answer = "Ok"
	}
	f.record(req)
	if f.raw(w, r, a) {
		return
	}
	if a.code != "" && !a.perNumber {
		f.callError(w, a.code, "fake failure "+a.code)
		return
	}
	msg := "send success"
	if a.code != "" {
		msg = "fake failure " + a.code
	}
	f.write(w, map[string]any{
		"SendStatusSet": []map[string]any{{
			"SerialNo": "2433:" + randomHex(8), "PhoneNumber": req.To, "Fee": 1, "SessionContext": in.SessionContext,
			"Code": req.Answer, "Message": msg, "IsoCode": "CN",
		}},
	})
}

func (f *Tencent) callError(w http.ResponseWriter, code, msg string) {
	f.write(w, map[string]any{"Error": map[string]string{"Code": code, "Message": msg}})
}

// write answers {"Response": {..., "RequestId"}} with HTTP 200, as every
// answer of API 3.0 is.
func (f *Tencent) write(w http.ResponseWriter, resp map[string]any) {
	resp["RequestId"] = randomHex(4) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(6)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"Response": resp})
}

// verify checks the TC3-HMAC-SHA256 signature of r as Tencent Cloud
// documents it ("签名方法 v3"): the canonical request of the method, path,
// query, signed headers (lower-cased names and values) and the payload's
// SHA-256; the string to sign with the timestamp and the credential scope
// date/sms/tc3_request; the key derived from "TC3"+SecretKey by HMAC-SHA256
// of the date, the service and "tc3_request". It returns the API's error
// code and why, or "".
func (f *Tencent) verify(r *http.Request, body []byte) (code, why string) {
	alg, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if alg != "TC3-HMAC-SHA256" {
		return "AuthFailure.InvalidAuthorization", fmt.Sprintf("algorithm %q", alg)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 4 || cred[2] != "sms" || cred[3] != "tc3_request" {
		return "AuthFailure.InvalidAuthorization", "credential " + fields["Credential"]
	}
	if cred[0] != f.SecretID {
		return "AuthFailure.SecretIdNotFound", "unknown secret id"
	}
	tsText := r.Header.Get("X-TC-Timestamp")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return "AuthFailure.SignatureExpire", "timestamp " + tsText
	}
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	if cred[1] != date {
		return "AuthFailure.SignatureFailure", "credential date " + cred[1] + " is not the timestamp's " + date
	}
	signedList := fields["SignedHeaders"]
	signed := strings.Split(signedList, ";")
	if !slices.Contains(signed, "content-type") || !slices.Contains(signed, "host") {
		return "AuthFailure.SignatureFailure", "content-type and host must be signed"
	}
	var headers strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		headers.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{r.Method, path, r.URL.RawQuery, headers.String(), signedList, sha256hex(body)}, "\n")
	scope := date + "/sms/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + tsText + "\n" + scope + "\n" + sha256hex([]byte(canonical))
	key := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+f.SecretKey), date), "sms"), "tc3_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return "AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct."
	}
	return "", ""
}
