// Package records adapts firmware/store to the persistence interfaces the
// flows define: the queue engine's Journal, the payment sessions' Recorder,
// and the holder binding's BindingStore and HolderAuditor. It owns the record
// kinds and payload shapes these produce on the wire (protocol v1 uploads
// them as they are), and which fields are sealed as personal data.
//
// It imports firmware/store and the flow packages whose interfaces it
// implements; it must not import drivers, the UI or firmware/kiosk.
package records

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Record kinds written by this package.
const (
	KindQueueEvent     = "queue.event"
	KindPaymentSession = "payment.session"
	KindHolderAudit    = "identity.holder"
)

// appendJSON appends v as the payload of a record of kind, durably.
func appendJSON(ctx context.Context, st *store.Store, kind string, v any, personal map[string]string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("records: %s: %w", kind, err)
	}
	if _, err := st.Append(ctx, store.Record{Kind: kind, Payload: b, Personal: personal}); err != nil {
		return fmt.Errorf("records: %s: %w", kind, err)
	}
	return nil
}

// scan calls f for every record of kind, oldest first, page by page.
func scan(ctx context.Context, st *store.Store, kind string, f func(store.Record) error) error {
	var since store.Seq
	for {
		page, err := st.Records(ctx, kind, since, 1000)
		if err != nil {
			return fmt.Errorf("records: read %s: %w", kind, err)
		}
		for _, r := range page {
			if err := f(r); err != nil {
				return err
			}
			since = r.Seq
		}
		if len(page) < 1000 {
			return nil
		}
	}
}
