// Command benchconsole measures the first paint of every page of the
// operator's console (/admin/) in headless Chromium: it signs in once, then
// loads each page -runs times, each a full page load (Page.navigate), and
// times, from the navigation's start, the moment the page has drawn its
// data (the console sets body[data-ready]; a MutationObserver installed
// before any page script sees it) and the browser's first-contentful-paint.
// The user page counts until its ledger's first rows are drawn too. It
// prints, per page, the median, p95 and max of both, and the median time
// of each admin API call the page made (Resource Timing).
//
//	benchconsole -url http://127.0.0.1:8080 -email ops@example.com -password ...
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchconsole:", err)
		os.Exit(1)
	}
}

// observer runs in every new document before its scripts: it notes when
// body[data-ready] is first set, and which page it was, and when each of
// the parts a page draws after it (the user page's ledger) first appears.
const observer = `(() => {
  const later = ['#ledger tbody tr'];
  window.__benchSeen = {};
  const seen = () => {
    const b = document.body;
    if (b && b.dataset.ready && window.__benchReady === undefined) {
      window.__benchReady = performance.now();
      window.__benchPage = b.dataset.page;
      window.__benchError = !!document.querySelector('.error-box');
    }
    for (const sel of later) {
      if (window.__benchSeen[sel] === undefined && document.querySelector(sel)) window.__benchSeen[sel] = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { attributes: true, childList: true, subtree: true });
})();`

// collect waits for the page to be ready (and the part named by the
// selector also, when one is given) and answers what was measured.
const collect = `(also) => new Promise((resolve, reject) => {
  const t0 = Date.now();
  const poll = () => {
    if (window.__benchReady !== undefined && (!also || window.__benchSeen[also] !== undefined)) {
      const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
      resolve({
        ready: Math.max(window.__benchReady, also ? window.__benchSeen[also] : 0), page: window.__benchPage, error: window.__benchError,
        fcp: fcp ? fcp.startTime : -1,
        api: performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname.startsWith('/admin/v1/'))
          .map(e => ({ url: new URL(e.name).pathname + new URL(e.name).search, start: e.startTime, duration: e.duration })),
      });
    } else if (document.body && document.body.dataset.ready && window.__benchReady === undefined) reject(new Error('ready, but the observer saw nothing'));
    else if (Date.now() - t0 > 30000) reject(new Error('not ready after 30 s'));
    else setTimeout(poll, 5);
  };
  poll();
})`

// drawn is the expression that answers what collect measured.
func drawn(also string) string {
	b, _ := json.Marshal(also)
	return "(" + collect + ")(" + string(b) + ")"
}

type sample struct {
	Ready float64 `json:"ready"`
	Page  string  `json:"page"`
	Error bool    `json:"error"`
	FCP   float64 `json:"fcp"`
	API   []struct {
		URL      string  `json:"url"`
		Start    float64 `json:"start"`
		Duration float64 `json:"duration"`
	} `json:"api"`
}

type target struct {
	label, path, page string
	also              string // a part the page draws after body[data-ready], waited for too
}

func run() error {
	var (
		base     = flag.String("url", "http://127.0.0.1:8080", "the plaza server")
		email    = flag.String("email", "", "admin email (required)")
		password = flag.String("password", "", "admin password (required)")
		runs     = flag.Int("runs", 10, "loads of each page")
		chrome   = flag.String("chrome", os.Getenv("PLAZA_TEST_CHROME"), "Chromium to run (default: chromium on the PATH)")
		user     = flag.Int64("user", 1, "the user whose profile page is loaded (one with many ledger entries)")
		order    = flag.Int64("order", 1, "the order whose detail page is loaded")
		phone    = flag.String("phone", "1390001", "a phone prefix to search users by")
		nick     = flag.String("nick", "nick-4242", "a nickname prefix to search users by")
		noCache  = flag.Bool("no-cache", false, "load every page with the browser cache off (the console's modules fetched again each time)")
		budget   = flag.Float64("budget", 300, "ms: pages whose median ready time is over it are marked")
	)
	flag.Parse()
	if *email == "" || *password == "" {
		return fmt.Errorf("-email and -password are required")
	}
	exe := *chrome
	if exe == "" {
		for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
			if p, err := exec.LookPath(n); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		return fmt.Errorf("no Chromium found (apt-get install chromium, or -chrome)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelC := chromedp.NewContext(actx)
	defer cancelC()
	if err := chromedp.Do(ctx); err != nil {
		return fmt.Errorf("start %s: %w", exe, err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: observer}); err != nil {
		return err
	}
	if *noCache {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
	}

	// Sign in once through the login page; the session cookie does the rest.
	step := func(d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
		c, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return chromedp.Do(c, actions...)
	}
	ready := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(`body[data-page="` + name + `"][data-ready] main`))
	}
	err := step(60*time.Second, chromedp.Navigate(*base+"/admin/login"), ready("login"),
		chromedp.SendKeys(chromedp.CSS("#email"), *email), chromedp.SendKeys(chromedp.CSS("#password"), *password),
		chromedp.Click(chromedp.CSS("#signin")), ready("dashboard"))
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}

	targets := []target{
		{"dashboard", "/admin/", "dashboard", ""},
		{"users", "/admin/users", "users", ""},
		{"users ?q=phone", "/admin/users?q=" + url.QueryEscape(*phone), "users", ""},
		{"users ?q=nick", "/admin/users?q=" + url.QueryEscape(*nick), "users", ""},
		{fmt.Sprintf("user %d", *user), fmt.Sprintf("/admin/users/%d", *user), "user", "#ledger tbody tr"},
		{"masters", "/admin/collections/masters", "collections", ""},
		{"tickets", "/admin/collections/tickets", "collections", ""},
		{"feedback", "/admin/feedback", "feedback", ""},
		{"service", "/admin/service", "service", ""},
		{"pushes", "/admin/pushes", "pushes", ""},
		{"orders", "/admin/orders", "orders", ""},
		{"orders ?status=1", "/admin/orders?status=1", "orders", ""},
		{fmt.Sprintf("order %d", *order), fmt.Sprintf("/admin/orders/%d", *order), "order", ""},
		{"audit", "/admin/audit", "audit", ""},
		{"admins", "/admin/admins", "admins", ""},
		{"account", "/admin/account", "account", ""},
	}
	type result struct {
		t          target
		ready, fcp []float64
		api        map[string][]float64
		apiOrder   []string
	}
	var results []result
	for _, t := range targets {
		r := result{t: t, api: map[string][]float64{}}
		for i := range *runs {
			c, cancel := context.WithTimeout(ctx, 60*time.Second)
			s, err := func() (sample, error) {
				if err := chromedp.Do(c, chromedp.Navigate(*base+t.path)); err != nil {
					return sample{}, err
				}
				v, err := chromedp.Run(c, chromedp.Evaluate[json.RawMessage](drawn(t.also), chromedp.EvalAwaitPromise))
				if err != nil {
					return sample{}, err
				}
				var s sample
				return s, json.Unmarshal(v, &s)
			}()
			cancel()
			if err != nil {
				return fmt.Errorf("%s (load %d): %w", t.path, i+1, err)
			}
			if s.Page != t.page || s.Error {
				return fmt.Errorf("%s (load %d): page %q drawn, error box %v (want page %q)", t.path, i+1, s.Page, s.Error, t.page)
			}
			r.ready = append(r.ready, s.Ready)
			r.fcp = append(r.fcp, s.FCP)
			for _, a := range s.API {
				u := a.URL
				if _, ok := r.api[u]; !ok {
					r.apiOrder = append(r.apiOrder, u)
				}
				r.api[u] = append(r.api[u], a.Duration)
			}
		}
		results = append(results, r)
	}

	fmt.Printf("%d loads of each page; times in ms from the navigation's start\n\n", *runs)
	fmt.Printf("%-20s %8s %8s %8s   %8s %8s %8s\n", "page", "ready", "p95", "max", "FCP", "p95", "max")
	fmt.Printf("%-20s %8s %8s %8s   %8s %8s %8s\n", "", "median", "", "", "median", "", "")
	over := 0
	for _, r := range results {
		mark := ""
		if median(r.ready) > *budget {
			mark = "  over budget"
			over++
		}
		fmt.Printf("%-20s %8.0f %8.0f %8.0f   %8.0f %8.0f %8.0f%s\n", r.t.label,
			median(r.ready), pct(r.ready, 95), slices.Max(r.ready), median(r.fcp), pct(r.fcp, 95), slices.Max(r.fcp), mark)
	}
	fmt.Printf("\nadmin API calls of each page (median duration, ms):\n")
	for _, r := range results {
		var parts []string
		for _, u := range r.apiOrder {
			parts = append(parts, fmt.Sprintf("%s %.0f", u, median(r.api[u])))
		}
		fmt.Printf("%-20s %s\n", r.t.label, strings.Join(parts, ", "))
	}
	if over > 0 {
		fmt.Printf("\n%d pages over %.0f ms (median ready)\n", over, *budget)
	}
	return nil
}

func median(v []float64) float64 { return pct(v, 50) }

// pct is the p-th percentile, nearest rank.
func pct(v []float64, p float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(len(s)-1, i))]
}
