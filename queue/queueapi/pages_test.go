package queueapi

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPagesServed: the counter screen and the board load without a token,
// in Vietnamese, from this server only (no CDN, a CSP that says so).
func TestPagesServed(t *testing.T) {
	rg := newRig(t, nil)
	for path, want := range map[string]string{
		"/queue/counter":   "Gọi số tiếp theo",
		"/queue/board":     "Thời gian chờ dự kiến",
		"/queue/app.js":    "Q.parseSSE",
		"/queue/style.css": ".call .num",
	} {
		resp, err := http.Get(rg.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d, lacks %q", path, resp.StatusCode, want)
		}
		if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") || strings.Contains(string(b), "//cdn") {
			t.Errorf("%s refers to another site", path)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

// TestPagesLogic runs the pages' own logic (SSE parsing, estimated wait,
// the board's rows, staff call texts) under node; the pages in a real
// browser are tested in tests/queuesite_test.go (headless Chromium).
func TestPagesLogic(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed (make deps installs nodejs): the pages' logic cannot be tested")
	}
	app, _ := filepath.Abs("web/app.js")
	out, err := exec.Command(node, "testdata/app_test.js", app).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("%v\n%s", err, out)
	}
}
