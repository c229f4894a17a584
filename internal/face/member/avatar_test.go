package member_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"plaza/internal/media/mediatest"
	"plaza/internal/plazatest"
)

// The member face's avatar is an address (头像地址): an http(s) URL, or an
// uploaded media (shown as the URL plaza serves it at). Any other text is
// refused (10005), the same rule as the yuanyi face's, in the core.
func TestAvatarRule(t *testing.T) {
	plazatest.Each(t, nil, func(t *testing.T, e *plazatest.Env) {
		access, _ := register(t, e, phone)
		for _, bad := range []string{
			"javascript:alert(1)", "not a url", "a.png", "//cdn.example.com/a.png", "ftp://cdn.example.com/a.png",
			"https://user:pw@cdn.example.com/a.png", "https://cdn.example.com/a b.png", "https://cdn.example.com/a\x01.png", "https:///a.png",
			"e4cbdd56-855a-41ee-bcb6-5785abdd6148.jpeg",        // a media id never uploaded
			"/media/e4cbdd56-855a-41ee-bcb6-5785abdd6148.jpeg", // its URL
		} {
			want(t, e, "PUT", "/api/personal/info", map[string]any{"avatar": bad}, access, 10005)
		}
		avatar := func() string {
			return want(t, e, "GET", "/api/personal/info", nil, access, 0)["avatar"].(string)
		}
		if a := avatar(); a != "" {
			t.Fatalf("a refused avatar was stored: %q", a)
		}

		url := "https://cdn.example.com/u/1/a.png?v=2"
		if up := want(t, e, "PUT", "/api/personal/info", map[string]any{"avatar": url}, access, 0); up["avatar"] != url {
			t.Fatalf("avatar = %v", up["avatar"])
		}

		id := want(t, e, "GET", "/api/personal/info", nil, access, 0)["id"].(json.Number)
		uid, _ := id.Int64()
		m, err := e.App.Media.Save(context.Background(), uid, bytes.NewReader(mediatest.PNG(2, 2)), "image/png")
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{m.UUID, m.ID, m.UUID + ".jpg", "/media/" + m.ID} {
			if up := want(t, e, "PUT", "/api/personal/info", map[string]any{"avatar": ref}, access, 0); up["avatar"] != "/media/"+m.ID {
				t.Fatalf("avatar %q shows as %v, want /media/%s", ref, up["avatar"], m.ID)
			}
			if u, _ := e.App.Accounts.User(context.Background(), uid); u.Avatar != m.ID {
				t.Fatalf("avatar %q stored as %q, want the media id", ref, u.Avatar)
			}
		}
		want(t, e, "PUT", "/api/personal/info", map[string]any{"avatar": ""}, access, 0)
		if a := avatar(); a != "" {
			t.Fatalf("cleared avatar = %q", a)
		}
	})
}
