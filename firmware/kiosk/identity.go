package kiosk

import (
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
)

// acquirer builds the identity Acquirer over the opened reader and scanner
// (either may be nil): [identity] read_timeout unless pol sets one, chip
// reads logged to the kiosk's log, reads and verdicts counted in metrics.
func (e *env) acquirer(reader nfc.Reader, sc *scanner.Scanner, pol identity.Policy, pipeline identity.Options) *identity.Acquirer {
	src := identity.Sources{Reader: reader}
	if sc != nil {
		src.QR = qrSource{sc}
	}
	if pol.ReadTimeout == 0 {
		pol.ReadTimeout = e.cfg.Identity.ReadTimeout.D()
	}
	if pipeline.Logger == nil {
		pipeline.Logger = e.log
	}
	return identity.NewAcquirer(src, pol, pipeline, metricsObserver{e.m})
}

// metricsObserver counts card reads (card_reads_total by result) and
// verdicts (by verdict and reason).
type metricsObserver struct{ m *metrics.Metrics }

func (o metricsObserver) CardRead(r identity.ReadResult) {
	o.m.CardReads.WithLabelValues(string(r)).Inc()
}

func (o metricsObserver) Verdict(v identity.Verdict, r identity.Reason) {
	o.m.Verdicts.WithLabelValues(string(v), string(r)).Inc()
}
