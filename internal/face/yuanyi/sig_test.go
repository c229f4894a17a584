package yuanyi

import (
	"encoding/json"
	"strings"
	"testing"
)

const testSecret = "3b57ff81-27ea-45d9-a2e3-6e24920b17ac"

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Vectors computed with Node's crypto (the app's printing) and CPython 3.11
// (the test client's printing); the first is also the document's example.
func TestSignatureVectors(t *testing.T) {
	cases := []struct{ body, sig string }{
		{`{"method":"send_sms_code","country":"86","phone":"18682222222","ver":"1","ts":1699708371203,"app":"yuanyi-app"}`,
			"ed1d6bcb5a74b6a99c573ba5185e6ebd3f30e6682d8394b74c918bff89f8515c"},
		{`{"method":"article_del","article_id_list":[1,2],"token":"t","ver":"1","ts":1,"app":"yuanyi-app"}`,
			"77f6adf6de11c427d20c43f91d9c07dcad8b9e0adc1d6c32b73b0c1e05bbb85c"}, // JS: "1,2"
		{`{"method":"x","f":1.5,"b":true,"n":null,"o":{"a":1},"big":1e21,"l":[1,null,"a"],"ver":"1","ts":1,"app":"yuanyi-app"}`,
			"88f6df88f785481ad5c3f5314fdda40e57c3a1ebdd1a344b94ddd8704e868dc3"},
		{`{"method":"article_del","article_id_list":[1,2],"token":"t","ver":"1","ts":1,"app":"yuanyi-app"}`,
			"7ab9e1e9b57c2e10a71146e4ce275c55db95c5be9c78be4062e604992838e47a"}, // Python: "[1, 2]"
		{`{"method":"x","b":true,"n":null,"names":["a","b"],"ver":"1","ts":1,"app":"yuanyi-app"}`,
			"481d9a77a27b459beeee1152c31643cdb5862f101f48836d95e3e19148c4bb7b"}, // Python: True, None, ['a', 'b']
	}
	for _, c := range cases {
		m := decode(t, c.body)
		m["sig"] = c.sig
		if !signatureOK(m, testSecret, c.sig) {
			t.Errorf("signature of %s refused", c.body)
		}
		if signatureOK(m, "another-secret", c.sig) {
			t.Errorf("signature of %s accepted with the wrong secret", c.body)
		}
		m["ts"] = json.Number("2")
		if signatureOK(m, testSecret, c.sig) {
			t.Errorf("signature of %s accepted after a change", c.body)
		}
	}
}

func TestJSNumber(t *testing.T) {
	for in, want := range map[string]string{"1": "1", "1.50": "1.5", "-0": "0", "1e21": "1e+21", "1.5e-7": "1.5e-7", "123456789012": "123456789012", "0.000001": "0.000001"} {
		if got := jsNumber(json.Number(in)); got != want {
			t.Errorf("jsNumber(%s) = %s, want %s", in, got, want)
		}
	}
}
