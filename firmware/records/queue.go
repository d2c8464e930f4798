package records

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// QueueJournal is the queue engine's journal on the durable store: each
// event is one "queue.event" record (no personal data: a ticket carries a
// number, a service and a priority class, not a person).
type QueueJournal struct{ st *store.Store }

// NewQueueJournal returns the journal over st.
func NewQueueJournal(st *store.Store) *QueueJournal { return &QueueJournal{st: st} }

// Append records e; it returns once the record is fsync'd.
func (j *QueueJournal) Append(ctx context.Context, e queue.Event) error {
	return appendJSON(ctx, j.st, KindQueueEvent, e, nil)
}

// Replay returns the events of day in their journal order.
func (j *QueueJournal) Replay(ctx context.Context, day string) ([]queue.Event, error) {
	var out []queue.Event
	err := scan(ctx, j.st, KindQueueEvent, func(r store.Record) error {
		var e queue.Event
		if err := json.Unmarshal(r.Payload, &e); err != nil {
			return fmt.Errorf("records: queue event seq %d: %w", r.Seq, err)
		}
		if e.Day == day {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

var _ queue.Journal = (*QueueJournal)(nil)
