package collector

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	epochA = "0123456789abcdef0123456789abcdef"
	epochB = "fedcba9876543210fedcba9876543210"
)

const okBatch = `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":1,"kind":"transit.tap","created_at":"2026-11-22T08:00:00.123456789Z","payload":{"fare":7000}},{"seq":2,"kind":"transit.tap","created_at":"2026-11-22T08:00:01.000000000+07:00","payload":{}}]}`

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
		{"no epoch", "/v1/devices/d1/records", strings.Replace(okBatch, `"store_epoch":"`+epochA+`",`, "", 1), nil, 400},
		{"short epoch", "/v1/devices/d1/records", strings.Replace(okBatch, epochA, "0123", 1), nil, 400},
		{"upper-case epoch", "/v1/devices/d1/records", strings.Replace(okBatch, epochA, strings.ToUpper(epochA), 1), nil, 400},
		{"origin in the same epoch", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{},"origin":{"store_epoch":"` + epochA + `","seq":4}}]}`, nil, 400},
		{"origin seq zero", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{},"origin":{"store_epoch":"` + epochB + `","seq":0}}]}`, nil, 400},
		{"bad json", "/v1/devices/d1/records", `{"device_id":`, nil, 400},
		{"empty", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[]}`, nil, 400},
		{"descending", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":2,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}},{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}}]}`, nil, 400},
		{"seq zero", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":0,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":{}}]}`, nil, 400},
		{"bad time", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":1,"kind":"k","created_at":"yesterday","payload":{}}]}`, nil, 400},
		{"payload array", "/v1/devices/d1/records", `{"device_id":"d1","store_epoch":"` + epochA + `","records":[{"seq":1,"kind":"k","created_at":"2026-11-22T08:00:00Z","payload":[1]}]}`, nil, 422},
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
		var reply struct {
			AckedThrough int64  `json:"acked_through"`
			Epoch        string `json:"store_epoch"`
			Time         string `json:"time"`
		}
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &reply) != nil || reply.AckedThrough != 2 || reply.Epoch != epochA {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
		if at, err := time.Parse(time.RFC3339Nano, reply.Time); err != nil || time.Since(at).Abs() > time.Minute {
			t.Fatalf("reply time %q: %v", reply.Time, err)
		}
		if _, err := http.ParseTime(w.Header().Get("Date")); err != nil {
			t.Fatalf("Date header %q: %v", w.Header().Get("Date"), err)
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

// batchOf builds a batch of seqs from..to of epoch, payloads tagged.
func batchOf(epoch string, from, to int, tag string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"device_id":"d1","store_epoch":%q,"records":[`, epoch)
	for s := from; s <= to; s++ {
		if s > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"seq":%d,"kind":"transit.tap","created_at":"2026-11-22T08:00:00Z","payload":{"tag":%q,"n":%d}}`, s, tag, s)
	}
	b.WriteString("]}")
	return b.String()
}

// TestNewEpochNeverDeduplicated is issue 15's first attack at the backend:
// a device whose kiosk.db was deleted sends seq 1..100 again, with new
// content. Keyed on (device_id, seq), all 100 were acknowledged and
// dropped as duplicates; keyed on (device_id, store_epoch, seq), all 100
// are stored and the epoch change is reported.
func TestNewEpochNeverDeduplicated(t *testing.T) {
	var changes []string
	c := New(Options{Token: "tok", OnEpochChange: func(dev string, prev, cur Epoch) {
		changes = append(changes, fmt.Sprintf("%s %s(%d records, max %d)→%s", dev, prev.Epoch, prev.Records, prev.MaxSeq, cur.Epoch))
	}})
	for _, b := range []string{batchOf(epochA, 1, 100, "old life"), batchOf(epochB, 1, 100, "new life")} {
		if w := post(t, c, "/v1/devices/d1/records", b, nil); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if n := len(c.RecordsOf("d1", epochB)); n != 100 {
		t.Fatalf("%d of 100 records of the new epoch stored", n)
	}
	st := c.Stats()
	if st.Stored != 200 || st.Duplicates != 0 || st.EpochChanges != 1 {
		t.Fatalf("stats %+v", st)
	}
	if len(changes) != 1 || changes[0] != "d1 "+epochA+"(100 records, max 100)→"+epochB {
		t.Fatalf("epoch change reports %q", changes)
	}
	if es := c.Epochs("d1"); len(es) != 2 || es[0].Epoch != epochA || es[1].Records != 100 {
		t.Fatalf("Epochs %+v", es)
	}
	// Resending the new epoch's batch is still deduplicated.
	post(t, c, "/v1/devices/d1/records", batchOf(epochB, 1, 100, "new life"), nil)
	if st := c.Stats(); st.Stored != 200 || st.Duplicates != 100 || st.Conflicts != 0 {
		t.Fatalf("after a resend: %+v", st)
	}
}

// TestOriginDedupe: a record re-homed from an earlier epoch is deduplicated
// on its origin, whichever epoch and seq it arrives under.
func TestOriginDedupe(t *testing.T) {
	c := New(Options{})
	post(t, c, "/v1/devices/d1/records", batchOf(epochA, 1, 3, "x"), nil)
	rehomed := `{"device_id":"d1","store_epoch":"` + epochB + `","records":[` +
		`{"seq":1,"kind":"transit.tap","created_at":"2026-11-22T08:00:00Z","payload":{"tag":"x","n":3},"origin":{"store_epoch":"` + epochA + `","seq":3}},` +
		`{"seq":2,"kind":"transit.tap","created_at":"2026-11-22T08:00:00Z","payload":{"tag":"x","n":4},"origin":{"store_epoch":"` + epochA + `","seq":4}}]}`
	if w := post(t, c, "/v1/devices/d1/records", rehomed, nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"acked_through":2`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	st := c.Stats()
	if st.Stored != 4 || st.Duplicates != 1 {
		t.Fatalf("stats %+v: origin seq 3 is a duplicate, origin seq 4 is new", st)
	}
	a := c.RecordsOf("d1", epochA)
	if len(a) != 4 || a[3].Seq != 4 || a[3].ResentAs == nil || a[3].ResentAs.Epoch != epochB {
		t.Fatalf("epoch A records %+v", a)
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

func TestHeartbeatEndpoint(t *testing.T) {
	const hb = `{"device_id":"d1","time":"2026-11-22T08:00:00.5Z","uptime_s":12}`
	tests := []struct {
		name, path, body string
		hdr              map[string]string
		want             int
	}{
		{"ok", "/v1/devices/d1/heartbeat", hb, nil, 200},
		{"no token", "/v1/devices/d1/heartbeat", hb, map[string]string{"Authorization": ""}, 401},
		{"other device", "/v1/devices/d2/heartbeat", hb, nil, 400},
		{"not an object", "/v1/devices/d1/heartbeat", `[1]`, nil, 400},
		{"bad time", "/v1/devices/d1/heartbeat", `{"device_id":"d1","time":"now"}`, nil, 400},
		{"too big", "/v1/devices/d1/heartbeat", `{"device_id":"d1","x":"` + strings.Repeat("a", MaxHeartbeatBytes) + `"}`, nil, 400},
		{"unknown endpoint", "/v1/devices/d1/beat", hb, nil, 404},
	}
	c := New(Options{Token: "tok"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(t, c, tt.path, tt.body, tt.hdr)
			if w.Code != tt.want {
				t.Fatalf("%s: %d %s, want %d", tt.path, w.Code, w.Body.String(), tt.want)
			}
		})
	}
	hbs := c.Heartbeats("d1")
	if len(hbs) != 1 || string(hbs[0].Body) != hb || hbs[0].Via != "https" || c.Stats().Heartbeats != 1 {
		t.Fatalf("heartbeats %+v, stats %+v", hbs, c.Stats())
	}
	if c.Stats().Requests != 0 {
		t.Fatalf("heartbeats counted as record requests: %+v", c.Stats())
	}
}

func FuzzAcceptHeartbeat(f *testing.F) {
	f.Add([]byte(`{"device_id":"d1","time":"2026-11-22T08:00:00.5Z"}`))
	f.Add([]byte(`{"device_id":"d2","time":"2026-11-22T08:00:00Z"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := New(Options{})
		err := c.AcceptHeartbeat("d1", "mqtt", body) // must not panic
		if (err == nil) != (len(c.Heartbeats("d1")) == 1) {
			t.Fatalf("accepted %v but kept %d", err == nil, len(c.Heartbeats("d1")))
		}
	})
}
