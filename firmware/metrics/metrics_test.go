package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/metrics"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestMetricsText(t *testing.T) {
	m := metrics.New()
	m.CardReads.WithLabelValues("ok").Inc()
	m.Verdicts.WithLabelValues("not_genuine", "hash_mismatch").Inc()
	backlog := 42.0
	if err := m.Gauge("outbox_pending_records", "Records not yet acknowledged.", func() float64 { return backlog }); err != nil {
		t.Fatal(err)
	}
	paper := "near_end"
	if err := m.StateGauge("printer_paper", "Printer paper state.", "state", []string{"ok", "near_end", "end"}, func() string { return paper }); err != nil {
		t.Fatal(err)
	}
	if err := m.LabeledGauge("queue_waiting", "People waiting per service.", "service", func() map[string]float64 { return map[string]float64{"A": 3} }); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, m.Handler(), "/metrics")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`kiosk_card_reads_total{result="ok"} 1`,
		`kiosk_card_verdicts_total{reason="hash_mismatch",verdict="not_genuine"} 1`,
		`kiosk_outbox_pending_records 42`,
		`kiosk_printer_paper{state="near_end"} 1`,
		`kiosk_printer_paper{state="ok"} 0`,
		`kiosk_queue_waiting{service="A"} 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestHealthz(t *testing.T) {
	m := metrics.New()
	if code, body := get(t, m.Handler(), "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthy: %d %q", code, body)
	}
	m.Alert("uplink", func() error { return errors.New("wedged on seq 7") })
	code, body := get(t, m.Handler(), "/healthz")
	if code != 503 || !strings.Contains(body, "uplink: wedged on seq 7") {
		t.Fatalf("alert: %d %q", code, body)
	}
	if err := m.Live(); err != nil {
		t.Fatalf("an alert stopped liveness: %v", err)
	}
	m.HealthCheck("store", func() error { return errors.New("disk full") })
	code, body = get(t, m.Handler(), "/healthz")
	if code != 503 || !strings.Contains(body, "store: disk full") || !strings.Contains(body, "uplink: wedged") {
		t.Fatalf("unhealthy: %d %q", code, body)
	}
	if err := m.Live(); err == nil || !strings.Contains(err.Error(), "store: disk full") {
		t.Fatalf("Live = %v", err)
	}
}

func TestServeLoopbackOnly(t *testing.T) {
	m := metrics.New()
	if _, err := m.Serve(context.Background(), "0.0.0.0:0", slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("metrics served on a non-loopback address")
	}
	stop, err := m.Serve(context.Background(), "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop(context.Background())
}

// TestBuildInfoHistogramsAndZeroSeries: the build is on /metrics, the
// latency histograms exist from the first scrape (at 0) and count what is
// observed, in the bucket the 300 ms transit promise is read from.
func TestBuildInfoHistogramsAndZeroSeries(t *testing.T) {
	m := metrics.New()
	if err := m.BuildInfo("1.2.3", "abc1234", "go1.27.3", "transit"); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, m.Handler(), "/metrics")
	for _, want := range []string{
		`kiosk_build_info{commit="abc1234",go="go1.27.3",profile="transit",version="1.2.3"} 1`,
		`kiosk_operation_duration_seconds_count{op="transit_verdict"} 0`,
		`kiosk_operation_duration_seconds_count{op="store_append"} 0`,
		`kiosk_card_reads_total{result="error"} 0`,
		`kiosk_uplink_errors_total{class="network"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
	m.Observe(metrics.OpTransitVerdict, 40*time.Millisecond)
	m.Observe(metrics.OpTransitVerdict, 250*time.Millisecond)
	m.Observe(metrics.OpTransitVerdict, 400*time.Millisecond)
	var nilM *metrics.Metrics
	nilM.Observe(metrics.OpUpload, time.Second) // tools without metrics
	_, body = get(t, m.Handler(), "/metrics")
	for _, want := range []string{
		`kiosk_operation_duration_seconds_bucket{op="transit_verdict",le="0.05"} 1`,
		`kiosk_operation_duration_seconds_bucket{op="transit_verdict",le="0.3"} 2`,
		`kiosk_operation_duration_seconds_count{op="transit_verdict"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
}
