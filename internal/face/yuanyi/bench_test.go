package yuanyi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"plaza/internal/benchdata"
	"plaza/internal/face/yuanyi"
	"plaza/internal/plazatest"
	"plaza/internal/store/storetest"
)

// The article functions through the whole stack (HTTP, signature check,
// token check, store, JSON) on SQLite, with 2,000 users, 20,000 articles
// and 200,000 likes; the viewer follows 1,000 users:
//
//	go test -run '^$' -bench 'ArticleList|FollowingList|ArticleLike' -cpuprofile cpu.out ./internal/face/yuanyi/
func benchEnv(b *testing.B) (*plazatest.Env, benchdata.Data) {
	e := plazatest.New(b, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, map[string]string{"PLAZA_LOG_LEVEL": "error"})
	d, err := benchdata.Seed(context.Background(), e.App.DB, benchdata.Spec{
		Users: 2000, Articles: 20_000, Likes: 200_000, Collects: 20_000, Follows: 1000, Tokens: 1000, Seed: 1,
	}, e.Clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	return e, d
}

// signed is a call body as the app signs it, at the time of e's clock.
func signed(e *plazatest.Env, method, token string, params map[string]any) []byte {
	ts := json.Number(strconv.FormatInt(e.Clock.Now().UnixMilli(), 10))
	body := map[string]any{"method": method, "ver": "1", "ts": ts, "app": "yuanyi-app", "token": token}
	for k, v := range params {
		body[k] = v
	}
	body["sig"] = yuanyi.Sign(body, secret)
	raw, _ := json.Marshal(body)
	return raw
}

func post(b *testing.B, client *http.Client, url string, body []byte) {
	r, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !bytes.Contains(out, []byte(`"code":0`)) {
		b.Fatalf("answer %s", out)
	}
}

func benchCall(b *testing.B, method string, params map[string]any) {
	e, d := benchEnv(b)
	body := signed(e, method, d.Tokens[0], params)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := e.URL + "/yuanyiapi/"
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, client, url, body)
		}
	})
}

func BenchmarkArticleList(b *testing.B) {
	benchCall(b, "article_list", map[string]any{"limit": json.Number("20"), "offset": json.Number("0")})
}

func BenchmarkFollowingList(b *testing.B) {
	benchCall(b, "following_article_list", map[string]any{"limit": json.Number("20"), "offset": json.Number("0")})
}

func BenchmarkArticleDetail(b *testing.B) {
	benchCall(b, "article_detail", map[string]any{"article_id": json.Number("20000")})
}

// BenchmarkArticleLike: a like and its unlike by one of 1,000 users.
func BenchmarkArticleLike(b *testing.B) {
	e, d := benchEnv(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := e.URL + "/yuanyiapi/"
	var bodies [][2][]byte
	for u := 2; len(bodies) < 4000; u = 2 + (u-1)%999 {
		a := int64(1 + len(bodies)*5%20_000)
		if d.Liked[int64(u)][a] {
			continue
		}
		p := map[string]any{"article_id": json.Number(strconv.FormatInt(a, 10))}
		bodies = append(bodies, [2][]byte{signed(e, "article_like", d.Tokens[u-1], p), signed(e, "article_unlike", d.Tokens[u-1], p)})
	}
	next := make(chan int, 1)
	next <- 0
	b.ResetTimer()
	t0 := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := <-next
			next <- (i + 1) % len(bodies)
			post(b, client, url, bodies[i][0])
			post(b, client, url, bodies[i][1])
		}
	})
	b.ReportMetric(float64(2*b.N)/time.Since(t0).Seconds(), "writes/s")
}
