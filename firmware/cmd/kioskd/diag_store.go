package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
)

// diagDefaultDevice is the device id txgen gives a new database.
const diagDefaultDevice = "kiosk-diag"

// openDiagStore opens the store at db with its key next to it (<db>.key)
// unless key is set; an empty device id means the database's own.
func openDiagStore(ctx context.Context, e *env, db, key, device string) (*store.Store, error) {
	if key == "" {
		key = db + ".key"
	}
	return store.Open(ctx, store.Options{Path: db, KeyFile: key, DeviceID: device,
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

// diagTxgen is `kioskd diag txgen`: append N synthetic records, printing
// "acked <seq>" after each durable append (the crash test's oracle).
func diagTxgen(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "txgen", "kioskd diag txgen --db PATH --count N [--kind K] [--device-id ID] [--key FILE] [--writers W] [--personal]")
	db := fs.String("db", "", "store database file")
	key := fs.String("key", "", "sealing key file (default <db>.key)")
	count := fs.Int("count", 0, "number of records to append")
	kind := fs.String("kind", records.KindDiagTxgen, "record kind to label the synthetic records with (their payload is records.DiagTxgen)")
	device := fs.String("device-id", "", "device id (default: the database's, or "+diagDefaultDevice+" for a new one)")
	writers := fs.Int("writers", 1, "concurrent appenders (group commit)")
	personal := fs.Bool("personal", false, "add synthetic sealed personal fields")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *db == "" || *count <= 0 || *writers <= 0 || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	dev := *device
	if dev == "" {
		if ob, err := store.ReadOutbox(ctx, *db); err != nil || ob.DeviceID == "" {
			dev = diagDefaultDevice
		} else {
			dev = ob.DeviceID
		}
	}
	s, err := openDiagStore(ctx, e, *db, *key, dev)
	if err != nil {
		return failf(e, exitFailure, "diag txgen: %v", err)
	}
	defer s.Close()
	if err := txgen(ctx, s, e.stdout, *count, *writers, *kind, *personal); err != nil {
		return failf(e, exitFailure, "diag txgen: %v", err)
	}
	return exitOK
}

func txgen(ctx context.Context, s *store.Store, out io.Writer, count, writers int, kind string, personal bool) error {
	var (
		mu   sync.Mutex
		next int
		ferr error
		wg   sync.WaitGroup
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= count || ctx.Err() != nil {
					return
				}
				// Synthetic records for a bench or soak store only: the
				// one place a record is built outside firmware/records,
				// because --kind may label them as another kind.
				b, err := records.Marshal(records.DiagTxgen{N: i, AmountVND: int64(1000 * (i%50 + 1)), At: time.Now().Format(time.RFC3339)})
				if err != nil {
					mu.Lock()
					ferr, next = err, count
					mu.Unlock()
					return
				}
				r := store.Record{Kind: kind, Payload: b}
				if personal {
					r.Personal = map[string]string{store.FieldIDNumber: fmt.Sprintf("0010990%05d", i%100000)}
				}
				seq, err := s.Append(ctx, r)
				mu.Lock()
				if err != nil {
					ferr = err
					next = count
				} else {
					// One write per line: stdout is unbuffered, so a line
					// printed is a record durable.
					fmt.Fprintf(out, "acked %d\n", seq)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ferr
}

// diagOutbox is `kioskd diag outbox`: the upload backlog as JSON. It opens
// the database read-only, so it is safe while kioskd runs. `diag outbox
// release` returns quarantined records to the outbox (diagOutboxRelease).
func diagOutbox(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "release" {
		return diagOutboxRelease(ctx, e, args[1:])
	}
	fs := newFlags(e, "outbox", "kioskd diag outbox --db PATH | release …")
	db := fs.String("db", "", "store database file")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *db == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	if _, err := os.Stat(*db); err != nil {
		return failf(e, exitFailure, "diag outbox: %v", err)
	}
	ob, err := store.ReadOutbox(ctx, *db)
	if err != nil {
		return failf(e, exitFailure, "diag outbox: %v", err)
	}
	return printStoreJSON(e, ob)
}

// diagUpload is `kioskd diag upload`: drain the outbox once with protocol v1.
func diagUpload(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "upload", "kioskd diag upload --db PATH --url BASE_URL [--token T] [--key FILE] [--timeout D] [--ca FILE --cert FILE --client-key FILE]")
	db := fs.String("db", "", "store database file")
	key := fs.String("key", "", "sealing key file (default <db>.key)")
	var o uplink.Options
	fs.StringVar(&o.BaseURL, "url", "", "collector base URL (http:// or https://)")
	fs.StringVar(&o.Token, "token", "", "bearer token")
	fs.DurationVar(&o.Timeout, "timeout", uplink.DefaultTimeout, "per-request timeout")
	fs.StringVar(&o.CAFile, "ca", "", "PEM CA bundle for the server")
	fs.StringVar(&o.ClientCert, "cert", "", "PEM client certificate (mTLS)")
	fs.StringVar(&o.ClientKey, "client-key", "", "PEM client key (mTLS)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *db == "" || o.BaseURL == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := os.Stat(*db); err != nil {
		return failf(e, exitFailure, "diag upload: %v", err)
	}
	defer matchOwner(*db)
	s, err := openDiagStore(ctx, e, *db, *key, "")
	if err != nil {
		return failf(e, exitFailure, "diag upload: %v", err)
	}
	defer s.Close()
	o.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	u, err := uplink.New(s, o)
	if err != nil {
		return failf(e, exitFailure, "diag upload: %v", err)
	}
	defer u.Close()
	res, err := u.Drain(ctx)
	code := printStoreJSON(e, uploadJSON{Batches: res.Batches, Acked: res.Acked,
		AckedThrough: res.AckedThrough, Quarantined: append([]store.Seq{}, res.Quarantined...)})
	if err != nil {
		return failf(e, exitFailure, "diag upload: %v", err)
	}
	return code
}

// uploadJSON is what `diag upload` prints.
type uploadJSON struct {
	Batches      int         `json:"batches"`
	Acked        int         `json:"acked"`
	AckedThrough store.Seq   `json:"acked_through"`
	Quarantined  []store.Seq `json:"quarantined"`
}

func printStoreJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return failf(e, exitFailure, "diag: %v", err)
	}
	return exitOK
}
