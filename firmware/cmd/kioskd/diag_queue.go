package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// diagQueueGen is `kioskd diag queue-gen`: issue N tickets through the queue
// engine journaled in the store at --db, with some calls, completions,
// no-shows and recalls in between, printing "issued <ID>" after each Issue
// returns (its event is durable). It is the queue crash test's oracle.
func diagQueueGen(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "queue-gen", "kioskd diag queue-gen --db PATH --count N [--service A] [--services A,B] [--priority-every N] [--key FILE]")
	db := fs.String("db", "", "store database file")
	key := fs.String("key", "", "sealing key file (default <db>.key)")
	count := fs.Int("count", 0, "number of tickets to issue")
	service := fs.String("service", "A", "service code (one letter)")
	services := fs.String("services", "", "comma-separated service codes, issued round-robin (overrides --service)")
	every := fs.Int("priority-every", 4, "every Nth ticket takes a priority class, cycling through them (0: none)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	codes := []string{*service}
	if *services != "" {
		codes = strings.Split(*services, ",")
	}
	if *db == "" || *count <= 0 || *every < 0 || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	dev := "" // the database's own device id, or the diag default for a new one
	if ob, err := store.ReadOutbox(ctx, *db); err != nil || ob.DeviceID == "" {
		dev = diagDefaultDevice
	}
	s, err := openDiagStore(ctx, e, *db, *key, dev)
	if err != nil {
		return failf(e, exitFailure, "diag queue-gen: %v", err)
	}
	defer s.Close()
	eng, err := queue.Open(ctx, queueGenConfig(codes), records.NewQueueJournal(s))
	if err != nil {
		return failf(e, exitFailure, "diag queue-gen: %v", err)
	}
	if err := queueGen(ctx, eng, e.stdout, codes, *count, *every); err != nil {
		return failf(e, exitFailure, "diag queue-gen: %v", err)
	}
	return exitOK
}

// queueGenConfig gives each service code one counter named after it ("A1").
func queueGenConfig(codes []string) queue.Config {
	cfg := queue.Config{}
	for _, c := range codes {
		cfg.Services = append(cfg.Services, queue.Service{Code: c, Name: "Dịch vụ " + c, Counters: []string{c + "1"}})
	}
	return cfg
}

// queueGen issues count tickets round-robin over codes; every every-th takes
// the next priority class. Between issues it calls, completes, marks no-shows
// and recalls at the services' counters so the journal holds every kind of
// event. A service that reached its daily limit is skipped; when all have,
// queueGen stops.
func queueGen(ctx context.Context, eng *queue.Engine, out io.Writer, codes []string, count, every int) error {
	full := map[string]bool{}
	for i := 0; i < count && len(full) < len(codes); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		svc := codes[i%len(codes)]
		if full[svc] {
			continue
		}
		p := queue.Normal
		if every > 0 && i%every == every-1 {
			p = queue.Emergency + queue.Priority((i/every)%int(queue.RevolutionaryMerit))
		}
		tk, err := eng.Issue(ctx, svc, p)
		if errors.Is(err, queue.ErrFull) {
			full[svc] = true
			continue
		}
		if err != nil {
			return err
		}
		// One write per line on unbuffered stdout: a line printed is a
		// ticket durable.
		if _, err := fmt.Fprintf(out, "issued %s\n", tk.ID); err != nil {
			return err
		}
		if err := counterOps(ctx, eng, svc+"1", i); err != nil {
			return err
		}
	}
	return nil
}

// counterOps runs the counter operations step i calls for; "nobody waiting"
// and "no current ticket" are normal outcomes, not errors.
func counterOps(ctx context.Context, eng *queue.Engine, counter string, i int) error {
	ops := []struct {
		every int
		op    func(context.Context, string) (queue.Ticket, error)
	}{{3, eng.CallNext}, {5, eng.Recall}, {7, eng.Complete}, {11, eng.NoShow}}
	for _, o := range ops {
		if i%o.every != o.every-1 {
			continue
		}
		if _, err := o.op(ctx, counter); err != nil && !errors.Is(err, queue.ErrEmpty) && !errors.Is(err, queue.ErrNoCurrent) {
			return err
		}
	}
	return nil
}
