package profile

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/dispenser"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// StartQueue opens the numbered-ticket engine of [queue] over the store
// (its events are records, so a restart rebuilds the day), exposes the
// waiting counts as the queue_waiting metric and calls numbers aloud as
// they are called and recalled when the kiosk has a voice (Env.Calls).
// With [queue] api_listen the kiosk hosts the site's queue: it serves the
// queue API for counters, boards and the other kiosks, with the
// staff-call desk. With [queue] host it is a client of that host
// (SiteQueue). The components come back even with an error, to be
// stopped.
func StartQueue(ctx context.Context, e Env) (*SiteQueue, []Component, error) {
	cfg := e.Config
	services := make([]queue.Service, len(cfg.Queue.Services))
	for i, s := range cfg.Queue.Services {
		services[i] = queue.Service{Code: s.Code, Name: s.Name, Counters: s.Counters}
	}
	eng, err := queue.Open(ctx, queue.Config{Services: services, ResetAt: cfg.Queue.ResetOffset(),
		PriorityEvery: cfg.Queue.PriorityEvery, Location: cfg.Device.Location()}, records.NewQueueJournal(e.Store))
	if err != nil {
		return nil, nil, fmt.Errorf("profile: queue: %w", err)
	}
	sq := &SiteQueue{Engine: eng, origin: cfg.Device.ID, log: e.Log, warned: map[string]bool{}}
	_ = e.Metrics.LabeledGauge("queue_waiting", "People waiting per queue service (on a client kiosk: its offline numbers not yet handed to the host).", "service", func() map[string]float64 {
		qctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		out := map[string]float64{}
		if b, err := eng.Board(qctx); err == nil {
			for _, sv := range b.Services {
				out[sv.Code] = float64(sv.Waiting)
			}
		}
		return out
	})
	var parts []Component
	if e.Calls != nil {
		parts = append(parts, Go(ctx, "number calls", e.Log, func(ctx context.Context) error {
			// A subscription the queue dropped (it fell behind) is taken
			// again: a call said late beats a loudspeaker gone quiet.
			for ctx.Err() == nil {
				events, unsubscribe := eng.Subscribe()
				e.Calls(ctx, events)
				unsubscribe()
			}
			return nil
		}))
	}
	switch {
	case cfg.Queue.Host != "":
		r, err := queueRemote(e)
		if err != nil {
			return nil, parts, err
		}
		sq.remote, sq.prefix = r, cfg.Queue.OfflinePrefix
		e.Log.Info("queue: a client of the queue host", "host", cfg.Queue.Host, "offline_prefix", sq.prefix)
		return sq, append(parts, Go(ctx, "queue reconciler", e.Log, sq.reconcile)), nil
	case cfg.Queue.APIListen != "":
		sq.desk = staffcall.New(nil)
		c, err := serveQueueAPI(eng, sq.desk, e)
		if err != nil {
			return nil, parts, err
		}
		return sq, append(parts, c), nil
	}
	return sq, parts, nil
}

// queueIssuer adapts the queue engine to the dispenser: a walk-in ticket in
// the normal line, cancellable when its printing fails (paper end), so a
// number is never consumed without a ticket in someone's hand.
type queueIssuer struct {
	eng      *SiteQueue
	deviceID string
	names    map[string]string // service code → Vietnamese name
	mu       sync.Mutex
	ids      map[string]string // printed ticket id → engine ticket id
}

func (q *queueIssuer) Issue(ctx context.Context, service string) (tickets.Queue, error) {
	t, err := q.eng.Issue(ctx, service, queue.Normal)
	if err != nil {
		return tickets.Queue{}, err
	}
	id := fmt.Sprintf("%s-%s-%s", q.deviceID, t.Issued.Format("20060102"), t.ID)
	q.mu.Lock()
	q.ids[id] = t.ID
	q.mu.Unlock()
	return tickets.Queue{ID: id, Number: t.ID, Service: q.names[service], IssuedAt: t.Issued, Ahead: t.Ahead, Wait: t.Wait}, nil
}

func (q *queueIssuer) Cancel(ctx context.Context, id string) error {
	q.mu.Lock()
	tid, ok := q.ids[id]
	delete(q.ids, id)
	q.mu.Unlock()
	if !ok {
		tid = id[strings.LastIndexByte(id, '-')+1:]
	}
	return q.eng.Cancel(ctx, tid)
}

// StartDispenser runs the ticket dispenser when a button is configured
// ([devices.button]; led_green lights while it is ready): a press issues a
// number in service and prints it on p, unless open (when set: the staff
// menu's ServiceOpen) says staff closed it. Nil when there is no button.
func StartDispenser(ctx context.Context, e Env, eng *SiteQueue, p *escpos.Printer, h tickets.Header, service string, open func(string) bool) (*Component, error) {
	btn, err := e.Devices.Button("button")
	if err != nil {
		return nil, fmt.Errorf("profile: button: %w", err)
	}
	if btn == nil {
		return nil, nil
	}
	names := map[string]string{}
	for _, s := range e.Config.Queue.Services {
		names[s.Code] = s.Name
	}
	cfg := dispenser.Config{Service: service, Open: open, Header: h, Printer: p, Button: btn, Logger: e.Log,
		Issuer: &queueIssuer{eng: eng, deviceID: e.Config.Device.ID, names: names, ids: map[string]string{}}}
	if led, err := e.Devices.Output("led_green"); err != nil {
		return nil, fmt.Errorf("profile: led_green: %w", err)
	} else if led != nil {
		cfg.LED = led
	}
	d, err := dispenser.New(cfg)
	if err != nil {
		return nil, err
	}
	c := Go(ctx, "ticket dispenser", e.Log, d.Run)
	return &c, nil
}
