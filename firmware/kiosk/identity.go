package kiosk

import (
	"context"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// acquirer is the profile's Env.Identity: it builds the identity Acquirer
// over the reader and scanner the profile needs (either may be absent from
// the configuration), with [identity] read_timeout unless the policy sets
// one, chip reads logged to the kiosk's log, reads and verdicts counted in
// metrics. With need.Verify the CSCA trust anchors of [identity] trust_dir
// are loaded (and their counts exported) and [identity] read_face applies.
func (e *env) acquirer(devs *deviceSet) func(context.Context, profile.IdentityNeed) (*identity.Acquirer, error) {
	var trustOnce sync.Once
	var trust *pa.TrustStore
	return func(ctx context.Context, need profile.IdentityNeed) (*identity.Acquirer, error) {
		var src identity.Sources
		if need.Reader {
			r, err := devs.Reader(ctx)
			if err != nil {
				return nil, err
			}
			if r != nil {
				src.Reader, src.Keys = r, e.keys
			}
		}
		if need.Scanner {
			sc, err := devs.Scanner()
			if err != nil {
				return nil, err
			}
			if sc != nil {
				src.QR = qrSource{sc}
				if need.QRFilter != nil {
					src.QR = need.QRFilter(src.QR)
				}
			}
		}
		pol := need.Policy
		if pol.ReadTimeout == 0 {
			pol.ReadTimeout = e.cfg.Identity.ReadTimeout.D()
		}
		pipeline := identity.Options{Logger: e.log}
		if need.Verify {
			trustOnce.Do(func() { trust = e.loadTrust() })
			pipeline.Trust, pipeline.ReadFace = trust, e.cfg.Identity.ReadFace
			// The brainpool tables (tens of ms on a board) are built while
			// the kiosk starts rather than during the first card read.
			go emrtd.WarmUp()
		}
		return identity.NewAcquirer(src, pol, pipeline, metricsObserver{e.m}), nil
	}
}

// loadTrust loads the CSCA trust anchors and exports what was loaded and
// left out. Without anchors a card can only be "unverified".
func (e *env) loadTrust() *pa.TrustStore {
	trust, err := identity.LoadTrust(e.cfg.Identity.TrustDir, e.log)
	if err != nil {
		e.log.Warn("no CSCA trust anchors: cards can only be 'unverified'", "dir", e.cfg.Identity.TrustDir, "err", err)
		trust = pa.NewTrustStore()
	}
	_ = e.m.Gauge("trust_anchors", "CSCA certificates loaded from the trust folder.", func() float64 { return float64(trust.Len()) })
	_ = e.m.LabeledGauge("trust_skipped_certificates", "Certificates and files the trust folder holds but the kiosk left out, by reason.", "reason", func() map[string]float64 {
		out := map[string]float64{}
		for r, n := range trust.SkipCounts() {
			out[string(r)] = float64(n)
		}
		return out
	})
	return trust
}

// qrSource adapts the scanner driver to identity.QRSource.
type qrSource struct{ s *scanner.Scanner }

func (q qrSource) ReadQR(ctx context.Context) (string, error) {
	sc, err := q.s.Next(ctx)
	return sc.Text, err
}

// metricsObserver counts card reads (card_reads_total by result) and
// verdicts (by verdict and reason).
type metricsObserver struct{ m *metrics.Metrics }

func (o metricsObserver) CardRead(r identity.ReadResult) {
	o.m.CardReads.WithLabelValues(string(r)).Inc()
}

// ReadTook implements identity.ReadTimer: the chip read histogram.
func (o metricsObserver) ReadTook(d time.Duration) { o.m.Observe(metrics.OpChipRead, d) }

func (o metricsObserver) Verdict(v identity.Verdict, r identity.Reason) {
	o.m.Verdicts.WithLabelValues(string(v), string(r)).Inc()
}
