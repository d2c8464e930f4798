package profile

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/queueapi"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// SiteQueue is where a kiosk takes queue numbers and raises staff calls.
// Three set-ups, by [queue]:
//
//   - alone (no api_listen, no host): the kiosk numbers on its own and has
//     no staff channel (HasStaff is false);
//   - host (api_listen): the kiosk numbers for the whole site, serves the
//     queue API to the other kiosks, counters and boards, and keeps the
//     staff-call desk;
//   - client (host): numbers and staff calls come from the host over the
//     API. While the host is unreachable the kiosk issues numbers of its
//     own, prefixed with [queue] offline_prefix ("B-A001"), from its local
//     engine (so they are durable and never repeat), and hands each to the
//     host once it answers again (queue.Engine.Adopt).
//
// On a client the local engine's waiting line is exactly the offline
// numbers not yet handed over: a number handed over is withdrawn there.
type SiteQueue struct {
	// Engine is the local engine: the site's queue on a host or a lone
	// kiosk, the offline numbering on a client.
	Engine *queue.Engine
	desk   *staffcall.Desk  // host
	remote *queueapi.Remote // client
	prefix string           // client
	origin string           // this kiosk's [device] id (logs)
	log    *slog.Logger
	mu     sync.Mutex
	warned map[string]bool // offline numbers the host refused, logged once
}

// Issue takes a number: at the host on a client (an offline one when the
// host is unreachable), else from the local engine.
func (q *SiteQueue) Issue(ctx context.Context, service string, p queue.Priority) (queue.Ticket, error) {
	if q.remote == nil {
		return q.Engine.Issue(ctx, service, p)
	}
	t, err := q.remote.Issue(ctx, service, p)
	if err == nil || !errors.Is(err, queueapi.ErrUnreachable) {
		if err == nil {
			q.log.Info("queue: number issued by the host", "ticket", t.ID)
		}
		return t, err
	}
	lt, lerr := q.Engine.Issue(ctx, service, p)
	if lerr != nil {
		return queue.Ticket{}, fmt.Errorf("profile: queue host unreachable (%v), and no offline number: %w", err, lerr)
	}
	lt.ID, lt.Origin, lt.Ahead, lt.Wait = q.prefix+lt.ID, q.origin, 0, 0
	q.log.Warn("queue: host unreachable, offline number issued", "ticket", lt.ID, "err", err)
	return lt, nil
}

// Cancel withdraws a number whose ticket could not be printed: an offline
// number locally; a host number needs a staff client, so it is only logged
// (the counter will see it as a no-show).
func (q *SiteQueue) Cancel(ctx context.Context, id string) error {
	if q.remote == nil {
		_, err := q.Engine.Cancel(ctx, id)
		return err
	}
	if local, ok := strings.CutPrefix(id, q.prefix); ok {
		_, err := q.Engine.Cancel(ctx, local)
		return err
	}
	q.log.Warn("queue: a host number was not printed; the counter will find it absent", "ticket", id)
	return nil
}

// HasStaff reports whether staff calls reach anyone: on the host (the
// desk) or on a client (the host's desk).
func (q *SiteQueue) HasStaff() bool { return q.desk != nil || q.remote != nil }

// Raise opens a staff call: on the host's desk (directly, or over the
// API). Delivered in the answer counts the staff listeners reached.
func (q *SiteQueue) Raise(ctx context.Context, c staffcall.Call) (staffcall.Call, error) {
	switch {
	case q.desk != nil:
		if c.Kiosk == "" {
			c.Kiosk = q.origin
		}
		return q.desk.Raise(ctx, c)
	case q.remote != nil:
		return q.remote.Raise(ctx, c)
	}
	return staffcall.Call{}, errors.New("profile: no staff channel: [queue] has neither api_listen nor host")
}

// Await returns once staff took call id.
func (q *SiteQueue) Await(ctx context.Context, id string) (staffcall.Call, error) {
	switch {
	case q.desk != nil:
		return q.desk.Await(ctx, id)
	case q.remote != nil:
		return q.remote.Await(ctx, id)
	}
	return staffcall.Call{}, errors.New("profile: no staff channel")
}

// Ack takes call id on behalf of by (the admin menu's "paper changed"
// on the kiosk that raised it). Only the host holds the desk: a client
// cannot take a call, the counter screens do.
func (q *SiteQueue) Ack(ctx context.Context, id, by string) (staffcall.Call, error) {
	if q.desk == nil {
		return staffcall.Call{}, errors.New("profile: only the queue host's desk takes calls")
	}
	return q.desk.Ack(ctx, id, by)
}

// reconcileEvery is how often a client hands its offline numbers to the
// host.
const reconcileEvery = 2 * time.Second

// reconcile hands the offline numbers to the host until ctx ends.
func (q *SiteQueue) reconcile(ctx context.Context) error {
	tick := time.NewTicker(reconcileEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		q.handOver(ctx)
	}
}

// handOver adopts every offline number still waiting locally at the host,
// oldest first, and withdraws it locally once the host has it. It stops at
// the first number the host cannot take now.
func (q *SiteQueue) handOver(ctx context.Context) {
	ts, err := q.Engine.Tickets(ctx)
	if err != nil {
		q.log.Error("queue: offline numbers unreadable", "err", err)
		return
	}
	for _, t := range ts {
		if t.State != queue.Waiting {
			continue
		}
		id := q.prefix + t.ID
		_, err := q.remote.Adopt(ctx, id, t.Service, t.Priority, t.Issued)
		if errors.Is(err, queueapi.ErrUnreachable) {
			return // still down: next round
		}
		if err != nil {
			q.mu.Lock()
			first := !q.warned[id]
			q.warned[id] = true
			q.mu.Unlock()
			if first {
				q.log.Error("queue: the host refused an offline number; it stays here", "ticket", id, "err", err)
			}
			continue
		}
		if _, err := q.Engine.Cancel(ctx, t.ID); err != nil {
			q.log.Error("queue: offline number handed over but not withdrawn here", "ticket", id, "err", err)
			return
		}
		q.log.Info("queue: offline number handed to the host", "ticket", id)
	}
}

// queueRemote builds the client of [queue] host.
func queueRemote(e Env) (*queueapi.Remote, error) {
	q := e.Config.Queue
	path := q.HostTokenFile
	if !filepath.IsAbs(path) {
		dir := os.Getenv("CREDENTIALS_DIRECTORY")
		if dir == "" {
			dir = filepath.Dir(e.Config.File)
		}
		path = filepath.Join(dir, path)
	}
	tok, err := queueapi.ReadTokenFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: queue host token: %w", err)
	}
	var tlsCfg *tls.Config
	if q.HostCA != "" {
		pem, err := os.ReadFile(q.HostCA)
		if err != nil {
			return nil, fmt.Errorf("profile: queue host CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("profile: queue host CA %s: no PEM certificate", q.HostCA)
		}
		tlsCfg = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return queueapi.NewRemote(queueapi.RemoteConfig{URL: q.Host, Token: tok, TLS: tlsCfg})
}
