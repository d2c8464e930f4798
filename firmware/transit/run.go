package transit

import (
	"context"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// Presenter streams presentations; *identity.Acquirer implements it.
type Presenter interface {
	Presentations(ctx context.Context) <-chan identity.Presentation
}

// Run decides each presentation from src (every QR scan and card tap, on
// its own) until ctx ends.
func (v *Validator) Run(ctx context.Context, src Presenter) error {
	for p := range src.Presentations(ctx) {
		// The error may quote the scanned text: log only the reason.
		if r, err := v.Decide(ctx, p); err != nil {
			v.log.Info("transit: presentation not accepted", "presentation", p, "reason", r.Reason)
		}
	}
	return ctx.Err()
}
