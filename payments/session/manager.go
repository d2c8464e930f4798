package session

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/payments/vietqr"
)

// Config configures a Manager.
type Config struct {
	DeviceID string // for receipts
	// RefPrefix starts every reference (1–4 letters or digits, e.g. "K06")
	// so references from different devices never collide.
	RefPrefix string
	// Beneficiary of the VietQR payload.
	BIN, Account, Name, City string
	// ShowTimeout: a created session whose QR is not shown within it fails;
	// QRTimeout: a shown QR not paid within it expires.
	ShowTimeout, QRTimeout time.Duration
	// BaseURL of the payment back-end, e.g. "https://pay.example.vn";
	// HTTPClient reaches it (the device builds one with its CA and client
	// certificate); Token, when set, is sent as a bearer token.
	BaseURL    string
	HTTPClient *http.Client
	Token      string
	// PollInitial and PollMax bound the polling backoff (doubling).
	PollInitial, PollMax time.Duration
	// ConfirmKey is the back-end's checksum key (≥ MinKeyLen bytes): only
	// replies and pushes signed with it are believed. Without it, none is.
	ConfirmKey []byte
	// MaxAge bounds how long ago a confirmation may have been signed
	// (default 5 min); ClockSkew how far in the future its signing or
	// payment time may lie (default 2 min; negative: none allowed).
	MaxAge, ClockSkew time.Duration
	// Now and Sleep are the clock; tests inject fakes.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand feeds reference generation (crypto/rand by default).
	Rand   io.Reader
	Logger *slog.Logger
}

func (c *Config) defaults() error {
	if c.ShowTimeout <= 0 {
		c.ShowTimeout = 30 * time.Second
	}
	if c.QRTimeout <= 0 {
		c.QRTimeout = 5 * time.Minute
	}
	if c.PollInitial <= 0 {
		c.PollInitial = time.Second
	}
	if c.PollMax < c.PollInitial {
		c.PollMax = 15 * time.Second
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 5 * time.Minute
	}
	switch {
	case c.ClockSkew == 0:
		c.ClockSkew = 2 * time.Minute
	case c.ClockSkew < 0:
		c.ClockSkew = 0
	}
	if len(c.ConfirmKey) > 0 && len(c.ConfirmKey) < MinKeyLen {
		return fmt.Errorf("%w: ConfirmKey of %d bytes, want at least %d", ErrInvalid, len(c.ConfirmKey), MinKeyLen)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if len(c.RefPrefix) < 1 || len(c.RefPrefix) > 4 || strings.Trim(strings.ToUpper(c.RefPrefix), refAlphabet+"0123456789") != "" {
		return fmt.Errorf("%w: RefPrefix %q must be 1–4 letters or digits", ErrInvalid, c.RefPrefix)
	}
	c.RefPrefix = strings.ToUpper(c.RefPrefix)
	_, err := vietqr.Encode(vietqr.Payment{BIN: c.BIN, Account: c.Account, Name: c.Name, City: c.City})
	if err != nil {
		return fmt.Errorf("session: beneficiary: %w", err)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Manager owns the payment sessions of one device.
type Manager struct {
	cfg     Config
	rec     Recorder
	printer Printer
	mu      sync.Mutex
	byRef   map[string]*Info
	txns    map[string]string // provider transaction ID → ref (dedupe)

	rmu      sync.Mutex
	rejected map[string]uint64 // rejected confirmations by reason
}

// New makes a Manager; call Restore before use after a restart.
func New(cfg Config, rec Recorder, printer Printer) (*Manager, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fmt.Errorf("%w: a Recorder is required", ErrInvalid)
	}
	return &Manager{cfg: cfg, rec: rec, printer: printer, byRef: map[string]*Info{}, txns: map[string]string{},
		rejected: map[string]uint64{}}, nil
}

// Restore rebuilds sessions and the seen-transaction set from the recorder,
// so a confirmation retried after a restart is still applied only once.
//
// A session still open gets the deadline it was recorded with, but never
// later than its state's whole window (ShowTimeout, QRTimeout) from now:
// the recorded deadline is a wall time, and a clock stepped back since
// would otherwise keep a QR payable (and the lane or counter waiting) for
// as long as the step. The deadline is re-anchored on now, so within this
// process it runs on now's monotonic reading (time.Now's), not the wall.
func (m *Manager) Restore(ctx context.Context) error {
	ts, err := m.rec.Load(ctx)
	if err != nil {
		return fmt.Errorf("session: restore: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range ts {
		m.apply(t)
	}
	now := m.cfg.Now()
	for _, s := range m.byRef {
		if window, open := m.window(s.State); open {
			s.Deadline = now.Add(min(s.Deadline.Sub(now), window))
		}
	}
	return nil
}

// window is how long a session may stay in state st before it times out;
// open is false for a state without a timeout (terminal).
func (m *Manager) window(st State) (window time.Duration, open bool) {
	switch st {
	case Created:
		return m.cfg.ShowTimeout, true
	case QRShown:
		return m.cfg.QRTimeout, true
	}
	return 0, false
}

// apply changes in-memory state for a recorded transition. Caller holds mu.
func (m *Manager) apply(t Transition) {
	s := m.byRef[t.Ref]
	if s == nil {
		s = &Info{Ref: t.Ref, Created: t.At}
		m.byRef[t.Ref] = s
	}
	s.State, s.Deadline, s.seq, s.Reason = t.To, t.Deadline, t.Seq, t.Reason
	if t.Seq == 1 {
		s.Amount, s.Payload, s.Purpose = t.Amount, t.Payload, t.Purpose
	}
	if t.TxnID != "" {
		m.txns[t.TxnID] = t.Ref
		if s.TxnID == "" {
			s.TxnID = t.TxnID
		}
	}
}

// transition records t durably and then applies it. Caller holds mu.
func (m *Manager) transition(ctx context.Context, s *Info, to State, reason string, mod func(*Transition)) error {
	t := Transition{Ref: s.Ref, Seq: s.seq + 1, From: s.State, To: to, At: m.cfg.Now(), Reason: reason}
	if mod != nil {
		mod(&t)
	}
	if err := m.rec.Record(ctx, t); err != nil {
		return fmt.Errorf("session: record %s %s→%s: %w", s.Ref, s.State, to, err)
	}
	m.apply(t)
	m.cfg.Logger.Info("payment session", "ref", t.Ref, "from", string(t.From), "to", string(t.To), "reason", reason)
	return nil
}

// Create starts a session for amount VND and builds its VietQR payload.
func (m *Manager) Create(ctx context.Context, amount int64, purpose string) (Info, error) {
	if amount <= 0 {
		return Info{}, fmt.Errorf("%w: amount %d", ErrInvalid, amount)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ref, err := m.newRef()
	if err != nil {
		return Info{}, err
	}
	memo, err := vietqr.FoldASCII(ref + " " + purpose)
	if err != nil {
		return Info{}, fmt.Errorf("session: purpose: %w", err)
	}
	memo = strings.TrimSpace(memo[:min(len(memo), 25)])
	payload, err := vietqr.Encode(vietqr.Payment{BIN: m.cfg.BIN, Account: m.cfg.Account, Name: m.cfg.Name, City: m.cfg.City,
		Amount: amount, Bill: ref, Purpose: memo})
	if err != nil {
		return Info{}, fmt.Errorf("session: create: %w", err)
	}
	s := &Info{Ref: ref}
	now := m.cfg.Now()
	err = m.transition(ctx, s, Created, "", func(t *Transition) {
		t.Seq, t.From, t.Amount, t.Payload, t.Purpose, t.Deadline = 1, "", amount, payload, memo, now.Add(m.cfg.ShowTimeout)
	})
	if err != nil {
		return Info{}, err
	}
	return *m.byRef[ref], nil
}

// refAlphabet is Crockford's base-32 letters (no I, L, O, U) used with digits.
const refAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ"

// newRef makes prefix + 8 random characters from 0-9 and refAlphabet
// (32 symbols, 40 bits), retried until unused on this device. Caller holds mu.
func (m *Manager) newRef() (string, error) {
	const symbols = "0123456789" + refAlphabet
	for range 16 {
		var b [8]byte
		if _, err := io.ReadFull(m.cfg.Rand, b[:]); err != nil {
			return "", fmt.Errorf("session: reference: %w", err)
		}
		ref := []byte(m.cfg.RefPrefix)
		for _, c := range b {
			ref = append(ref, symbols[c%32])
		}
		if _, used := m.byRef[string(ref)]; !used {
			return string(ref), nil
		}
	}
	return "", fmt.Errorf("session: reference: no unused reference after 16 tries")
}

// get returns the session or ErrUnknownRef. Caller holds mu.
func (m *Manager) get(ref string) (*Info, error) {
	s, ok := m.byRef[ref]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRef, ref)
	}
	return s, nil
}

// Get returns a snapshot of the session, after applying any timeout due.
func (m *Manager) Get(ctx context.Context, ref string) (Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.get(ref)
	if err != nil {
		return Info{}, err
	}
	if err := m.timeout(ctx, s); err != nil {
		return *s, err
	}
	return *s, nil
}

// Shown marks the QR as on screen: created → qr_shown; the payment window
// (QRTimeout) starts now.
func (m *Manager) Shown(ctx context.Context, ref string) (Info, error) {
	return m.move(ctx, ref, QRShown, "", []State{Created}, m.cfg.QRTimeout)
}

// Cancel ends a session the user abandoned: created|qr_shown → cancelled.
func (m *Manager) Cancel(ctx context.Context, ref, reason string) (Info, error) {
	return m.move(ctx, ref, Cancelled, reason, []State{Created, QRShown}, 0)
}

func (m *Manager) move(ctx context.Context, ref string, to State, reason string, from []State, window time.Duration) (Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.get(ref)
	if err != nil {
		return Info{}, err
	}
	if err := m.timeout(ctx, s); err != nil {
		return *s, err
	}
	if !allowed(s.State, from) {
		return *s, fmt.Errorf("%w: %s is %s, cannot become %s", ErrBadState, ref, s.State, to)
	}
	err = m.transition(ctx, s, to, reason, func(t *Transition) {
		if window > 0 {
			t.Deadline = t.At.Add(window)
		}
	})
	return *s, err
}

func allowed(s State, from []State) bool {
	for _, f := range from {
		if s == f {
			return true
		}
	}
	return false
}

// timeout applies a due timeout: created past ShowTimeout → failed,
// qr_shown past QRTimeout → expired. Caller holds mu.
func (m *Manager) timeout(ctx context.Context, s *Info) error {
	if s.State.Terminal() || m.cfg.Now().Before(s.Deadline) {
		return nil
	}
	if s.State == Created {
		return m.transition(ctx, s, Failed, "qr not shown in time", nil)
	}
	return m.transition(ctx, s, Expired, "not paid in time", nil)
}

// Sweep applies every due timeout; the device calls it periodically.
func (m *Manager) Sweep(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.byRef {
		if err := m.timeout(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
