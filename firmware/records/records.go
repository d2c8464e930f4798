package records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Payload is the typed body of one record kind: a struct of this package
// whose JSON is what protocol v1 uploads as the record's "payload".
type Payload interface {
	// RecordKind is the record kind the payload belongs to
	// ("hospital.registration"); Lookup gives its version and rules.
	RecordKind() string
}

// Personal holds a record's sealed fields: field name (Personal* constants)
// → value. The store seals them at rest; the uploader sends them as the
// payload member "personal". A payload itself never carries personal data.
type Personal map[string]string

// VersionKey is the payload member holding the kind's payload version.
// Marshal writes it first; a payload without it (stored before versions
// existed) is version 1.
const VersionKey = "v"

// Sentinel errors callers and tests branch on.
var (
	// ErrUnknownKind means the kind is not in the registry (Kinds).
	ErrUnknownKind = errors.New("records: unregistered record kind")
	// ErrPersonalField means a sealed field the kind may not carry.
	ErrPersonalField = errors.New("records: personal field not allowed for this kind")
	// ErrVersion means a payload version this firmware does not know (a
	// record written by a newer firmware, or a corrupt one).
	ErrVersion = errors.New("records: unknown payload version")
	// ErrKindMismatch means a record decoded into another kind's payload.
	ErrKindMismatch = errors.New("records: record kind does not match the payload type")
)

// Appender appends one record durably; *store.Store implements it.
type Appender interface {
	Append(ctx context.Context, r store.Record) (store.Seq, error)
}

// Reader pages the records of one kind (""= all), oldest first;
// *store.Store implements it.
type Reader interface {
	Records(ctx context.Context, kind string, since store.Seq, limit int) ([]store.Record, error)
}

// Store is an Appender and a Reader; *store.Store implements it.
type Store interface {
	Appender
	Reader
}

// Marshal encodes p as its kind's wire payload: a JSON object whose first
// member is "v", the kind's version, followed by p's members.
func Marshal(p Payload) ([]byte, error) {
	k := lookup(p.RecordKind())
	if k == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKind, p.RecordKind())
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("records: marshal %s: %w", k.Name, err)
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("records: marshal %s: payload is not a JSON object", k.Name)
	}
	out := make([]byte, 0, len(b)+8)
	out = append(out, `{"`+VersionKey+`":`...)
	out = strconv.AppendInt(out, int64(k.Version), 10)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...), nil
}

// Append makes one record of p's kind durable in a, with personal sealed:
// it returns once the store has fsync'd it. at is the record's created_at
// (zero: the store's clock). Empty personal values are left out; a field
// the kind's registry entry does not list is refused (ErrPersonalField)
// before anything is written.
func Append(ctx context.Context, a Appender, at time.Time, p Payload, personal Personal) (store.Seq, error) {
	return AppendStamped(ctx, a, Clock{At: at}, p, personal)
}

// Clock is when a record is made: its created_at (At) and, when BootID is
// set, the boot and the time since it (store.Record's BootID and Mono) —
// for a caller that measures on its own clocks (a test's, or one it
// compares the records' Mono with). Zero fields are the store's clock.
type Clock struct {
	At     time.Time
	BootID string
	Mono   time.Duration
}

// AppendStamped is Append with the record's clock fields set from s.
func AppendStamped(ctx context.Context, a Appender, s Clock, p Payload, personal Personal) (store.Seq, error) {
	kind := p.RecordKind()
	k := lookup(kind)
	if k == nil {
		return 0, fmt.Errorf("%w: %q", ErrUnknownKind, kind)
	}
	sealed, err := k.sealed(personal)
	if err != nil {
		return 0, err
	}
	b, err := Marshal(p)
	if err != nil {
		return 0, err
	}
	r := store.Record{Kind: kind, CreatedAt: s.At, Payload: b, Personal: sealed}
	if s.BootID != "" {
		r.BootID, r.Mono = s.BootID, s.Mono
	}
	seq, err := a.Append(ctx, r)
	if err != nil {
		return 0, fmt.Errorf("records: append %s: %w", kind, err)
	}
	return seq, nil
}

// sealed returns personal without empty values (nil if none is left),
// refusing a field k does not list.
func (k *Kind) sealed(personal Personal) (map[string]string, error) {
	var out map[string]string
	for name, v := range personal {
		if v == "" {
			continue
		}
		if !k.mayCarry(name) {
			return nil, fmt.Errorf("%w: %s carries no %q", ErrPersonalField, k.Name, name)
		}
		if out == nil {
			out = make(map[string]string, len(personal))
		}
		out[name] = v
	}
	return out, nil
}

// Version returns the payload version of raw ("v"; 1 when absent).
func Version(raw []byte) (int, error) {
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, fmt.Errorf("records: payload: %w", err)
	}
	if head.V == nil {
		return 1, nil
	}
	return *head.V, nil
}

// Decode reads r's payload into p, which must be r's kind. A version newer
// than the registry's is refused (ErrVersion): this firmware cannot know
// what it means. Members it does not know are ignored.
func Decode(r store.Record, p Payload) error {
	return decode(r.Kind, r.Payload, p, false)
}

// Check validates a payload as received by a backend: its kind is
// registered, its version known, and it decodes into the kind's payload
// with no member the payload type does not define (besides "v" and the
// uploader's "personal").
func Check(kind string, payload []byte) error {
	k := lookup(kind)
	if k == nil {
		return fmt.Errorf("%w: %q", ErrUnknownKind, kind)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return fmt.Errorf("records: %s payload: %w", kind, err)
	}
	delete(top, store.ReservedPersonalKey)
	rest, err := json.Marshal(top)
	if err != nil {
		return fmt.Errorf("records: %s payload: %w", kind, err)
	}
	return decode(kind, rest, k.New(), true)
}

func decode(kind string, raw []byte, p Payload, strict bool) error {
	if kind != p.RecordKind() {
		return fmt.Errorf("%w: record %q into %s payload", ErrKindMismatch, kind, p.RecordKind())
	}
	k := lookup(kind)
	if k == nil {
		return fmt.Errorf("%w: %q", ErrUnknownKind, kind)
	}
	v, err := Version(raw)
	if err != nil {
		return fmt.Errorf("records: %s: %w", kind, err)
	}
	if v < 1 || v > k.Version {
		return fmt.Errorf("%w: %s v%d (this firmware knows v1..v%d)", ErrVersion, kind, v, k.Version)
	}
	if !strict {
		if err := json.Unmarshal(raw, p); err != nil {
			return fmt.Errorf("records: decode %s: %w", kind, err)
		}
		return nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return fmt.Errorf("records: decode %s: %w", kind, err)
	}
	delete(top, VersionKey)
	rest, err := json.Marshal(top)
	if err != nil {
		return fmt.Errorf("records: decode %s: %w", kind, err)
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return fmt.Errorf("records: decode %s: %w", kind, err)
	}
	return nil
}

// pageSize is how many records Scan reads per query.
const pageSize = 1000

// Scan calls f for every record of kind ("" = every kind), oldest first,
// page by page; an error from f stops it and is returned.
func Scan(ctx context.Context, r Reader, kind string, f func(store.Record) error) error {
	var since store.Seq
	for {
		page, err := r.Records(ctx, kind, since, pageSize)
		if err != nil {
			return fmt.Errorf("records: read %s: %w", kind, err)
		}
		for _, rec := range page {
			if err := f(rec); err != nil {
				return err
			}
			since = rec.Seq
		}
		if len(page) < pageSize {
			return nil
		}
	}
}

// Each decodes every record of kind into a fresh T (a payload struct of
// this package) and calls f, oldest first; a record that does not decode
// is skipped. It lets a reader of typed payloads go without store.Record.
func Each[T any, P interface {
	*T
	Payload
}](ctx context.Context, r Reader, kind string, f func(T) error) error {
	return Scan(ctx, r, kind, func(rec store.Record) error {
		var x T
		if err := Decode(rec, P(&x)); err != nil {
			return nil
		}
		return f(x)
	})
}
