package yuanyi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"plaza/internal/face/yuanyi"
	"plaza/internal/httpx"
	"plaza/internal/plazatest"
)

// yuanyiCodes are the codes the face answers: 0, the protocol's, and
// those of its error table but -1 (an internal error).
func yuanyiCodes() map[int64]bool {
	codes := map[int64]bool{0: true, 400: true, 401: true, 402: true, 403: true}
	for _, c := range yuanyi.Codes.Kinds {
		codes[int64(c)] = true
	}
	for _, c := range yuanyi.Codes.Reasons {
		codes[int64(c)] = true
	}
	delete(codes, -1)
	return codes
}

// yuanyiSeeds are calls of the face's tests (unsigned: the fuzz targets
// sign them or run without the check).
var yuanyiSeeds = []string{
	`{"method":"current_time","ver":"1","ts":1772359200000,"app":"yuanyi-app"}`,
	`{"method":"send_sms_code","country":"86","phone":"13800138000","ver":"1","ts":1772359200000,"app":"yuanyi-app"}`,
	`{"method":"user_signup","country":"86","phone":"13800138002","code":"1234","password":"123456","nickname":"小明"}`,
	`{"method":"user_login","country":"86","phone":"13800138000","password":"fuzz-password-1"}`,
	`{"method":"user_login","country":"86","phone":"13800138000","code":"1234"}`,
	`{"method":"user_password_update","country":"86","phone":"13800138000","code":"1234","password":"fuzz-password-1"}`,
	`{"method":"my_user_info"}`,
	`{"method":"my_user_info_update","nickname":"renamed","avatar":"","intro":"hello\nworld"}`,
	`{"method":"user_info","phone":"13800138001"}`,
	`{"method":"user_follow","to_uid":"0123456789abcdef0123456789abcdef"}`,
	`{"method":"my_following_users","limit":20,"offset":0}`,
	`{"method":"send_message_to_user","to_uid":"0123456789abcdef0123456789abcdef","content":"hi"}`,
	`{"method":"send_message_to_customer_service","content":"退款怎么办"}`,
	`{"method":"my_message_center","as_master":true}`,
	`{"method":"message_del","message_id_list":[1,2]}`,
	`{"method":"get_media_id"}`,
	`{"method":"article_publish","content":"hello","images":[]}`,
	`{"method":"article_publish","content":"as a string","images":"a.jpeg,b.jpeg"}`,
	`{"method":"article_list","limit":1,"offset":1}`,
	`{"method":"article_detail","article_id":1}`,
	`{"method":"article_like","article_id":1}`,
	`{"method":"article_comment_publish","article_id":1,"content":"mine"}`,
	`{"method":"article_comment_reply","article_id":1,"reply_id":1,"first_reply_id":1,"content":"hello"}`,
	`{"method":"article_comment_list","article_id":1,"limit":100,"offset":0}`,
	`{"method":"article_comment_del","article_comment_id_list":"1,2"}`,
	`{"method":"article_del","article_id_list":[1,999999]}`,
	`{"method":"master_list","limit":"100","offset":"3"}`,
	`{"method":"master_detail","master_id":"0123456789abcdef0123456789abcdef"}`,
	`{"method":"merchant_cloth_list"}`,
	`{"method":"game_comment_publish","game_id":1,"content":"回复","reply_id":0}`,
	`{"method":"home_banner","limit":1,"offset":2}`,
	`{"method":"ticket_list","project_id":1}`,
	`{"method":"ticket_comment_del","ticket_comment_id_list":[1,999999]}`,
	`{"method":"shopping_cart_add","ticket_id":1}`,
	`{"method":"order_create","ticket_id_list":[1]}`,
	`{"method":"order_pay","order_id":1,"pay_method":"wallet"}`,
	`{"method":"order_cancel","order_id":1}`,
	`{"method":"my_order_list","status":0}`,
	`{"method":"user_logout"}`,
	`{"method":"no_such_method"}`,
}

// checkEnvelope requires HTTP 200 {"code": N, ...} with a code of the
// face, and err_msg on errors; it answers the code.
func checkEnvelope(t *testing.T, what string, res plazatest.Response, codes map[int64]bool) int64 {
	t.Helper()
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: HTTP %d %s: %s", what, res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	var m map[string]json.RawMessage
	var code int64
	if json.Unmarshal(res.Body, &m) != nil || json.Unmarshal(m["code"], &code) != nil {
		t.Fatalf("%s: not the envelope: %s", what, res.Body)
	}
	if !codes[code] {
		t.Fatalf("%s: code %d: %s", what, code, res.Body)
	}
	if code != 0 {
		var msg string
		if json.Unmarshal(m["err_msg"], &msg) != nil || msg == "" || len(m) != 2 {
			t.Fatalf("%s: an error without err_msg, or with more: %s", what, res.Body)
		}
	}
	return code
}

// FuzzYuanyiAPI sends any request to the face's URL through the real
// handler, with the signature check off (so that the fuzzer reaches every
// function): no panic, no internal error, and every answer is HTTP 200
// {"code", ...} with a code of the face ("err_msg" on errors).
func FuzzYuanyiAPI(f *testing.F) {
	z := plazatest.NewFuzz(f, map[string]string{"PLAZA_YUANYI_CHECK_SIG": "false"})
	codes := yuanyiCodes()
	tok := z.Token(f, plazatest.FuzzPhones[0])
	z.Serve(f, yuanyiCall(`{"method":"article_publish","content":"the first article"}`, tok))
	for _, s := range yuanyiSeeds {
		f.Add("POST", "", "application/json", []byte(s), uint8(1))
	}
	f.Add("POST", "", "application/x-www-form-urlencoded", []byte("method=article_list&limit=2"), uint8(0))
	f.Add("GET", "", "", []byte(nil), uint8(0))
	f.Add("POST", "other", "application/json", []byte(`{"method":"article_list"}`), uint8(0))
	f.Add("POST", "upload", "multipart/form-data; boundary=XX",
		[]byte("--XX\r\nContent-Disposition: form-data; name=\"media_id\"\r\n\r\ne4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg\r\n"+
			"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--XX--\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, method, sub, ct string, body []byte, auth uint8) {
		r, ok := plazatest.FuzzRequest(method, "/yuanyiapi/"+sub, ct, body)
		if !ok {
			return
		}
		switch auth % 3 {
		case 1:
			r.Header.Set("Authorization", "Token "+z.Token(t, plazatest.FuzzPhones[0]))
		case 2:
			r.Header.Set("Authorization", "Token "+z.Token(t, plazatest.FuzzPhones[1]))
		}
		res := z.Serve(t, r)
		if plazatest.Redirected(r, res) {
			return
		}
		checkEnvelope(t, method+" "+r.URL.String()+" "+string(body), res, codes)
	})
}

func yuanyiCall(body, token string) *http.Request {
	r, _ := plazatest.FuzzRequest("POST", "/yuanyiapi/", "application/json", []byte(body))
	if token != "" {
		r.Header.Set("Authorization", "Token "+token)
	}
	return r
}

// FuzzYuanyiSigned signs any call's fields as the app does and sends it
// through the real handler with the signature check on: the call is never
// refused for its signature (402); with one digit of the signature changed
// it always is (but an unknown method, 401, which is told first). fn, when
// below the number of functions, names the function called (whatever the
// fields' method), so that every function gets any parameters.
func FuzzYuanyiSigned(f *testing.F) {
	z := plazatest.NewFuzz(f, map[string]string{"PLAZA_YUANYI_MAX_SKEW": "0"})
	codes := yuanyiCodes()
	names := yuanyi.MethodNames()
	tok := z.Token(f, plazatest.FuzzPhones[0])
	z.Serve(f, yuanyiCall(`{"method":"article_publish","content":"the first article"}`, tok))
	for _, s := range yuanyiSeeds {
		f.Add([]byte(s), true, uint16(0xffff), uint8(0))
	}
	for i := range names {
		f.Add([]byte(`{"article_id":1,"limit":2,"offset":1,"content":"x","to_uid":"0123456789abcdef0123456789abcdef"}`), true, uint16(i), uint8(i))
	}
	f.Add([]byte(`{"method":"article_list","app":"other-app"}`), false, uint16(0xffff), uint8(3))
	f.Fuzz(func(t *testing.T, body []byte, signedIn bool, fn uint16, at uint8) {
		fields, err := httpx.DecodeObject(body)
		if err != nil {
			return
		}
		if int(fn) < len(names) {
			fields["method"] = names[fn]
		}
		fields["app"] = "yuanyi-app"
		delete(fields, "sig")
		if signedIn {
			fields["token"] = z.Token(t, plazatest.FuzzPhones[0])
		}
		send := func(sig string) int64 {
			fields["sig"] = sig
			raw, err := json.Marshal(fields)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := plazatest.FuzzRequest("POST", "/yuanyiapi/", "application/json", raw)
			return checkEnvelope(t, string(raw), z.Serve(t, r), codes)
		}
		unsigned := map[string]any{}
		for k, v := range fields {
			unsigned[k] = v
		}
		sig := signOfFields(unsigned)
		if code := send(sig); code == 402 {
			t.Fatalf("a call signed as the app signs it is refused: %s", body)
		} else if code == 401 {
			return
		}
		i := int(at) % len(sig)
		d := "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[i])+1)%16]
		if code := send(sig[:i] + string(d) + sig[i+1:]); code != 402 {
			t.Fatalf("a call with a wrong signature answers %d: %s", code, body)
		}
	})
}

// signOfFields signs fields as the server will decode them (a round trip
// through JSON, numbers kept as written).
func signOfFields(fields map[string]any) string {
	raw, _ := json.Marshal(fields)
	var decoded map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&decoded)
	return yuanyi.Sign(decoded, secret)
}
