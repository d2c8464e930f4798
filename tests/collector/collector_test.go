package collector

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const okBatch = `{"device_id":"d1","records":[{"seq":1,"kind":"transit.tap","created_at":"2026-11-22T08:00:00.123456789Z","payload":{"fare":7000}},{"seq":2,"kind":"transit.tap","created_at":"2026-11-22T08:00:01.000000000+07:00","payload":{}}]}`

func post(t *testing.T, c *Collector, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer tok")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	return w
}

func TestProtocolRules(t *testing.T) {
	tests := []struct {
		name string
		path string
		body string
		hdr  map[string]string
		want int
	}{
		{"ok", "/v1/devices/d1/records", okBatch, nil, 200},
		{"wrong path", "/v1/devices/d1/recs", okBatch, nil, 404},
		{"no token", "/v1/devices/d1/records", okBatch, map[string]string{"Authorization": ""}, 401},
		{"bad content type", "/v1/devices/d1/records", okBatch, map[string]string{"Content-Type": "text/plain"}, 415},
		{"bad encoding", "/v1/devices/d1/records", okBatch, map[string]string{"Content-Encoding": "br"}, 415},
		{"not gzip", "/v1/devices/d1/records", okBatch, map[string]string{"Content-Encoding": "gzip"}, 400},
		{"device mismatch", "/v1/devices/d2/records", okBatch, nil, 400},
		{"bad json", "/v1/devices/d1/records", `{"device_id":`, nil, 400},
		{"empty", "/v1/devices/d1/records", `{"device_id":"d1","records":[]}`, nil, 400},
		{"descending", "/v1/devices/d1/records", `{"device_id":"d1","records":[{"seq":2,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}},{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}}]}`, nil, 400},
		{"seq zero", "/v1/devices/d1/records", `{"device_id":"d1","records":[{"seq":0,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}}]}`, nil, 400},
		{"bad time", "/v1/devices/d1/records", `{"device_id":"d1","records":[{"seq":1,"kind":"k","created_at":"yesterday","payload":{}}]}`, nil, 400},
		{"payload array", "/v1/devices/d1/records", `{"device_id":"d1","records":[{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":[1]}]}`, nil, 422},
		{"too big", "/v1/devices/d1/records", `{"device_id":"d1","x":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, nil, 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{Token: "tok"})
			w := post(t, c, tc.path, tc.body, tc.hdr)
			if w.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body.String(), tc.want)
			}
			if tc.want != 200 && c.Stats().Stored != 0 {
				t.Fatal("a rejected batch must store nothing")
			}
		})
	}
}

func TestDedupeAndGzip(t *testing.T) {
	c := New(Options{Token: "tok"})
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(okBatch))
	zw.Close()
	for range 2 {
		w := post(t, c, "/v1/devices/d1/records", zb.String(), map[string]string{"Content-Encoding": "gzip"})
		if w.Code != 200 || w.Body.String() != `{"acked_through":2}` {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
	st := c.Stats()
	if st.Stored != 2 || st.Duplicates != 2 || st.Conflicts != 0 || st.Gzipped != 2 {
		t.Fatalf("stats %+v", st)
	}
	if rs := c.Records("d1"); len(rs) != 2 || rs[0].Received != 2 || rs[1].Seq != 2 {
		t.Fatalf("records %+v", rs)
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add([]byte(okBatch))
	f.Add([]byte(`{"device_id":"d1","records":[{"seq":-1}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := New(Options{})
		w := post(t, c, "/v1/devices/d1/records", string(body), nil) // must not panic
		if w.Code == 200 && c.Stats().Stored == 0 {
			t.Fatalf("200 without storing anything")
		}
	})
}
