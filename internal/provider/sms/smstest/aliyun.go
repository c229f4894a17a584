package smstest

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Aliyun is a fake of Aliyun's SMS API: SendSms of dysmsapi 2017-05-25 in
// the RPC style that the darabonba SDK sends (parameters in the query, the
// action and version in x-acs-* headers), signed with ACS3-HMAC-SHA256.
type Aliyun struct {
	*book
	URL string // http://127.0.0.1:port, the endpoint setting
	// The account and template the fake knows; a request naming others is
	// refused as the vendor would. Change them before the first request.
	AccessKeyID, AccessKeySecret string
	SignName, TemplateCode       string
	TemplateParam                string // the code's variable in the template
}

// NewAliyun starts a fake with fresh credentials; it stops when t ends.
func NewAliyun(t testing.TB) *Aliyun {
	t.Helper()
	f := &Aliyun{
		book:            newBook(),
		AccessKeyID:     "LTAI" + randomHex(10),
		AccessKeySecret: randomHex(15),
		SignName:        "广场",
		TemplateCode:    "SMS_" + fmt.Sprint(100000000+time.Now().UnixNano()%900000000),
		TemplateParam:   "code",
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs first: hung requests end
	f.URL = srv.URL
	return f
}

// Env is the settings that point plaza at the fake.
func (f *Aliyun) Env() map[string]string {
	return map[string]string{
		"PLAZA_SMS":                          "aliyun",
		"PLAZA_SMS_ALIYUN_ACCESS_KEY_ID":     f.AccessKeyID,
		"PLAZA_SMS_ALIYUN_ACCESS_KEY_SECRET": f.AccessKeySecret,
		"PLAZA_SMS_ALIYUN_ENDPOINT":          f.URL,
		"PLAZA_SMS_SIGN_NAME":                f.SignName,
		"PLAZA_SMS_TEMPLATE":                 f.TemplateCode,
		"PLAZA_SMS_TEMPLATE_PARAM":           f.TemplateParam,
	}
}

// Answer makes the fake answer SendSms with code: a business code of
// SendSms (isv.*, isp.*) in the answer's Code with HTTP 200, as the vendor
// does, or a code of the API gateway (Throttling.*, ServiceUnavailable,
// InternalError, SignatureDoesNotMatch...) with its HTTP status. "" or "OK"
// is success.
func (f *Aliyun) Answer(code string) {
	if code == "OK" {
		code = ""
	}
	f.set(answer{code: code})
}

// aliyunGateway: the codes the API gateway answers before the product
// does, with their HTTP status. Other codes are the product's, with 200.
var aliyunGateway = map[string]int{
	"IncompleteSignature":         400,
	"SignatureDoesNotMatch":       400,
	"InvalidAccessKeyId.NotFound": 404,
	"InvalidTimeStamp.Expired":    400,
	"SignatureNonceUsed":          400,
	"InvalidAction.NotFound":      404,
	"InvalidVersion":              400,
	"MissingParameter":            400,
	"Throttling":                  400,
	"Throttling.User":             400,
	"Throttling.Api":              400,
	"InternalError":               500,
	"ServiceUnavailable":          503,
}

// The ACS3 signature must cover at least these headers.
var aliyunSignedHeaders = []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}

var digits = regexp.MustCompile(`^(\+|00)?[0-9]{6,16}$`)

func (f *Aliyun) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if code, why := f.verify(r, body); code != "" {
		f.refuse(code + ": " + why)
		f.reply(w, code, why)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		f.refuse("method " + r.Method)
		f.reply(w, "InvalidAction.NotFound", "method "+r.Method)
		return
	}
	if a, v := r.Header.Get("x-acs-action"), r.Header.Get("x-acs-version"); a != "SendSms" || v != "2017-05-25" {
		f.refuse("action " + a + " version " + v)
		f.reply(w, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	q := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range form {
				q[k] = append(q[k], vs...)
			}
		}
	}
	req := Request{To: q.Get("PhoneNumbers"), SignName: q.Get("SignName"), Template: q.Get("TemplateCode")}
	var params map[string]string
	problem := ""
	if err := json.Unmarshal([]byte(q.Get("TemplateParam")), &params); err != nil {
		problem = "isv.INVALID_JSON_PARAM"
	} else if c, ok := params[f.TemplateParam]; !ok {
		problem = "isv.TEMPLATE_MISSING_PARAMETERS"
	} else {
		req.Code = c
	}
	switch {
	case problem != "":
	case !digits.MatchString(req.To):
		problem = "isv.MOBILE_NUMBER_ILLEGAL"
	case req.SignName != f.SignName:
		problem = "isv.SMS_SIGNATURE_ILLEGAL"
	case req.Template != f.TemplateCode:
		problem = "isv.SMS_TEMPLATE_ILLEGAL"
	}
	if problem != "" {
		req.Answer = problem
		f.record(req)
		f.reply(w, problem, "the request is wrong")
		return
	}
	a := f.answer()
	switch {
	case a.hang:
		req.Answer = "hang"
	case a.status != 0:
		req.Answer = fmt.Sprintf("HTTP %d", a.status)
	case a.code != "":
		req.Answer = a.code
	default:
		req.Answer = "OK"
	}
	f.record(req)
	if f.raw(w, r, a) {
		return
	}
	f.reply(w, req.Answer, "")
}

// reply writes the answer of code ("OK": success).
func (f *Aliyun) reply(w http.ResponseWriter, code, msg string) {
	id := strings.ToUpper(randomHex(4) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(2) + "-" + randomHex(6))
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if code == "OK" {
		_ = json.NewEncoder(w).Encode(map[string]string{"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0", "RequestId": id})
		return
	}
	if msg == "" {
		msg = "fake failure " + code
	}
	status := aliyunGateway[code]
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	ans := map[string]string{"Code": code, "Message": msg, "RequestId": id}
	if status != http.StatusOK {
		ans["HostId"] = "dysmsapi.aliyuncs.com"
		ans["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + code
	}
	_ = json.NewEncoder(w).Encode(ans)
}

// verify checks the ACS3-HMAC-SHA256 signature of r as Aliyun documents it
// ("V3 版本请求体&签名机制"): the canonical request of the method, path,
// sorted query, signed headers and the payload's SHA-256, hashed and signed
// with HMAC-SHA256 under the access key secret. It returns the gateway's
// error code and why, or "".
func (f *Aliyun) verify(r *http.Request, body []byte) (code, why string) {
	alg, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if alg != "ACS3-HMAC-SHA256" {
		return "IncompleteSignature", fmt.Sprintf("algorithm %q", alg)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	if fields["Credential"] != f.AccessKeyID {
		return "InvalidAccessKeyId.NotFound", "unknown access key id"
	}
	hashed := r.Header.Get("x-acs-content-sha256")
	if hashed != sha256hex(body) {
		return "IncompleteSignature", "x-acs-content-sha256 is not the payload's hash"
	}
	signedList := fields["SignedHeaders"]
	signed := strings.Split(signedList, ";")
	if !sort.StringsAreSorted(signed) {
		return "IncompleteSignature", "SignedHeaders not sorted"
	}
	for _, h := range aliyunSignedHeaders {
		if !slices.Contains(signed, h) {
			return "IncompleteSignature", h + " is not signed"
		}
	}
	var headers strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		headers.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{r.Method, path, aliyunQuery(r.URL.Query()), headers.String(), signedList, hashed}, "\n")
	toSign := "ACS3-HMAC-SHA256\n" + sha256hex([]byte(canonical))
	want := hex.EncodeToString(hmacSHA256([]byte(f.AccessKeySecret), toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
	}
	at, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
	if err != nil || time.Since(at).Abs() > 15*time.Minute {
		return "InvalidTimeStamp.Expired", "x-acs-date " + r.Header.Get("x-acs-date")
	}
	if n := r.Header.Get("x-acs-signature-nonce"); n == "" || !f.freshNonce(n) {
		return "SignatureNonceUsed", "nonce used or empty"
	}
	return "", ""
}

// aliyunQuery is the canonical query string: keys sorted, keys and values
// percent-encoded by RFC 3986 (space %20, * %2A, ~ kept).
func aliyunQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, percent(k)+"="+percent(v))
		}
	}
	return strings.Join(parts, "&")
}

func percent(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}
