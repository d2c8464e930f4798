package kiosk

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/dispenser"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/queue"
)

// queueIssuer adapts the queue engine to the dispenser: a walk-in ticket in
// the normal line, cancellable when its printing fails (paper end), so a
// number is never consumed without a ticket in someone's hand.
type queueIssuer struct {
	eng      *queue.Engine
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
	_, err := q.eng.Cancel(ctx, tid)
	return err
}

// startDispenser runs the ticket dispenser when a button is configured: a
// press issues a number in service and prints it.
func startDispenser(ctx context.Context, e *env, eng *queue.Engine, p *escpos.Printer, h tickets.Header, service string) (*component, error) {
	spec, ok := e.cfg.Devices["button"]
	if !ok {
		return nil, nil
	}
	pin, err := e.pins.Pin("button", spec)
	if err != nil {
		return nil, fmt.Errorf("kiosk: button: %w", err)
	}
	btn, err := gpio.NewButton(pin, spec.Debounce.D())
	if err != nil {
		return nil, fmt.Errorf("kiosk: button: %w", err)
	}
	names := map[string]string{}
	for _, s := range e.cfg.Queue.Services {
		names[s.Code] = s.Name
	}
	cfg := dispenser.Config{Service: service, Header: h, Printer: p, Button: btn, Logger: e.log,
		Issuer: &queueIssuer{eng: eng, deviceID: e.cfg.Device.ID, names: names, ids: map[string]string{}}}
	if led, err := e.output("led_green"); err != nil {
		return nil, fmt.Errorf("kiosk: led_green: %w", err)
	} else if led != nil {
		cfg.LED = led
	}
	d, err := dispenser.New(cfg)
	if err != nil {
		return nil, err
	}
	c := goComponent(ctx, "ticket dispenser", e.log, d.Run)
	return &c, nil
}
