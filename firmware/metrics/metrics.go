// Package metrics owns kioskd's health and metrics endpoint: /healthz and
// Prometheus text-format /metrics on a localhost-only listener, using
// github.com/prometheus/client_golang with a private registry (no global
// state). Components report through the typed collectors on Metrics or
// register gauge functions that are read at scrape time.
//
// Two kinds of check feed /healthz: a HealthCheck says the process cannot
// do its job and a restart may help (Live fails too, so the systemd
// watchdog stops being pinged); an Alert says something needs a person but
// a restart would not help (a full store, an uploader wedged on one record,
// a lost database): /healthz answers 503 naming it, the watchdog is still
// pinged, and the kiosk keeps serving what it can.
//
// It imports nothing of the project; it never carries personal data (labels
// are results, states and kinds, never identifiers).
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of collectors a device exposes.
type Metrics struct {
	reg *prometheus.Registry

	// CardReads counts chip/QR reads by result (ok, no_card, removed, wrong_key, error …).
	CardReads *prometheus.CounterVec
	// Verdicts counts card verdicts (genuine, not_genuine, unverified) by reason.
	Verdicts *prometheus.CounterVec
	// UplinkErrors counts failed upload attempts by class (network, 5xx,
	// 4xx, auth, no_progress: firmware/uplink's PostClass).
	UplinkErrors *prometheus.CounterVec
	// Transactions counts durable records appended by kind.
	Transactions *prometheus.CounterVec
	// Durations are latency histograms by operation (Op…): the transit
	// verdict's "well under 300 ms" and the chip read are observable here,
	// not only in benchmarks.
	Durations *prometheus.HistogramVec

	mu     sync.Mutex
	checks map[string]func() error // health checks by name (fail Live and /healthz)
	alerts map[string]func() error // alerts by name (fail /healthz only)
}

// New returns an empty set with Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		reg: reg,
		CardReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kiosk", Name: "card_reads_total", Help: "Card reads by result.",
		}, []string{"result"}),
		Verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kiosk", Name: "card_verdicts_total", Help: "Card authenticity verdicts by verdict and reason.",
		}, []string{"verdict", "reason"}),
		UplinkErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kiosk", Name: "uplink_errors_total", Help: "Failed upload attempts by class (network, 5xx, 4xx, auth, no_progress).",
		}, []string{"class"}),
		Transactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kiosk", Name: "transactions_total", Help: "Durable records appended by kind.",
		}, []string{"kind"}),
		Durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "kiosk", Name: "operation_duration_seconds", Help: "Latency of chip reads, transit verdicts, store appends and uploads.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .2, .3, .5, 1, 2.5, 5, 10, 30},
		}, []string{"op"}),
		checks: map[string]func() error{},
		alerts: map[string]func() error{},
	}
	reg.MustRegister(m.CardReads, m.Verdicts, m.UplinkErrors, m.Transactions, m.Durations)
	// Series exist from the first scrape at 0, not only after their first
	// event: a rate() or an alert on "no reads failed" needs them.
	for _, op := range []string{OpChipRead, OpTransitVerdict, OpStoreAppend, OpUpload} {
		m.Durations.WithLabelValues(op)
	}
	for _, r := range []string{"ok", "error"} {
		m.CardReads.WithLabelValues(r)
	}
	for _, c := range []string{"network", "5xx", "4xx", "auth", "no_progress"} {
		m.UplinkErrors.WithLabelValues(c)
	}
	return m
}

// The operations Durations are labelled with.
const (
	OpChipRead       = "chip_read"       // a whole card read: QR/chip to identity.Verdict
	OpTransitVerdict = "transit_verdict" // a validator tap: presentation to verdict
	OpStoreAppend    = "store_append"    // one durable append (fsync included)
	OpUpload         = "upload"          // one batch sent and acknowledged
)

// Observe records that op took d; safe on a nil *Metrics (tests, tools).
func (m *Metrics) Observe(op string, d time.Duration) {
	if m == nil {
		return
	}
	m.Durations.WithLabelValues(op).Observe(d.Seconds())
}

// BuildInfo registers kiosk_build_info{version,commit,go,profile} = 1, the
// usual way a fleet dashboard tells which build each device runs.
func (m *Metrics) BuildInfo(version, commit, goVersion, profile string) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "kiosk", Name: "build_info", Help: "The running build (value always 1).",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit, "go": goVersion, "profile": profile}})
	g.Set(1)
	return m.reg.Register(g)
}

// Gauge registers a gauge read from f at every scrape, e.g. the outbox
// backlog, the age of the oldest pending record, or a queue length.
func (m *Metrics) Gauge(name, help string, f func() float64) error {
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "kiosk", Name: name, Help: help}, f))
}

// Counter registers a counter read from f at every scrape (a count the
// component keeps itself, such as appends refused since start).
func (m *Metrics) Counter(name, help string, f func() float64) error {
	return m.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "kiosk", Name: name, Help: help}, f))
}

// StateGauge registers a labelled gauge whose value is 1 for the current
// state and 0 for the others (e.g. printer paper: ok, near_end, end).
func (m *Metrics) StateGauge(name, help, label string, states []string, current func() string) error {
	return m.reg.Register(&stateCollector{
		desc:    prometheus.NewDesc("kiosk_"+name, help, []string{label}, nil),
		states:  states,
		current: current,
	})
}

type stateCollector struct {
	desc    *prometheus.Desc
	states  []string
	current func() string
}

func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	cur := s.current()
	for _, st := range s.states {
		v := 0.0
		if st == cur {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, v, st)
	}
}

// LabeledGauge registers a gauge with one label whose values are read from
// f at every scrape, e.g. people waiting per queue service.
func (m *Metrics) LabeledGauge(name, help, label string, f func() map[string]float64) error {
	return m.reg.Register(&labeledCollector{desc: prometheus.NewDesc("kiosk_"+name, help, []string{label}, nil), f: f})
}

type labeledCollector struct {
	desc *prometheus.Desc
	f    func() map[string]float64
}

func (l *labeledCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

func (l *labeledCollector) Collect(ch chan<- prometheus.Metric) {
	for k, v := range l.f() {
		ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, v, k)
	}
}

// HealthCheck registers a named check that /healthz runs; a non-nil error
// makes /healthz answer 503 with the check's name and error.
func (m *Metrics) HealthCheck(name string, check func() error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checks[name] = check
}

// Alert registers a named check that fails /healthz (503, with its name and
// error) but not Live: a condition that needs a person, where restarting
// the process would not help.
func (m *Metrics) Alert(name string, check func() error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts[name] = check
}

// Healthy runs every health check and alert and joins their errors, in
// name order (what /healthz reports).
func (m *Metrics) Healthy() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return run(m.checks, m.alerts)
}

// Live runs the health checks only (what the watchdog follows).
func (m *Metrics) Live() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return run(m.checks)
}

func run(sets ...map[string]func() error) error {
	var names []string
	all := map[string]func() error{}
	for _, set := range sets {
		for name, c := range set {
			names = append(names, name)
			all[name] = c
		}
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		if err := all[name](); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Handler serves /healthz and /metrics.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.Healthy(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "unhealthy:", err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// Serve listens on addr (which must be a loopback address) until ctx is done.
// It returns once listening, with a stop function.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger) (stop func(context.Context) error, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("metrics: %s is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return srv.Shutdown, nil
}
