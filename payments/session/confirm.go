package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/payments/vietqr"
)

// maxBody bounds back-end and webhook bodies.
const maxBody = 64 << 10

// Confirm applies a confirmation the caller has already authenticated
// (an in-process source such as a staff console; Poll and PushHandler
// authenticate first through ConfirmSigned). Never hand it data read from
// the network. It is idempotent: a transaction ID already applied returns
// the current state and changes nothing. A payment with the expected
// amount moves created|qr_shown → paid, and also expired → paid (the money
// has arrived; the reason says "late"); any other amount → failed. A
// payment on a session already paid, cancelled or failed is recorded (same
// state, reason "refund due") and returns ErrConflict. The receipt is
// printed once, after the paid transition is durable.
func (m *Manager) Confirm(ctx context.Context, c Confirmation) (Info, error) {
	return m.applyConfirmation(ctx, c, nil)
}

// ConfirmSigned authenticates body — a signed envelope (signed.go) — and
// applies it as Confirm does. want is the reference the caller asked about
// (a poll), or "" when the data names it (a push). Before anything changes
// it checks the signature against ConfirmKey, that the data names want,
// that it was signed within MaxAge and not after now+ClockSkew, and for a
// payment that it credits the configured account at a time between the
// session's creation and now (each with ClockSkew). A failure changes
// nothing, is logged and counted, and wraps ErrUnauthorized (or ErrInvalid
// for a malformed body).
func (m *Manager) ConfirmSigned(ctx context.Context, body []byte, want string) (Info, error) {
	c, err := m.verify(body, want)
	if err != nil {
		return Info{}, m.reject(want, err)
	}
	info, err := m.applyConfirmation(ctx, c, func(s *Info) error { return m.checkSession(s, c) })
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrInvalid) {
		err = m.reject(c.Ref, err)
	}
	return info, err
}

// Unexported verification failures (reasons for Rejected).
var (
	errNoKey        = fmt.Errorf("%w: no confirmation key configured", ErrUnauthorized)
	errWrongRef     = fmt.Errorf("%w: confirmation for another reference", ErrUnauthorized)
	errWrongAccount = fmt.Errorf("%w: confirmation credits another account", ErrUnauthorized)
)

// verify checks what needs no session: signature, reference asked for,
// signing time.
func (m *Manager) verify(body []byte, want string) (Confirmation, error) {
	if len(m.cfg.ConfirmKey) == 0 {
		return Confirmation{}, errNoKey
	}
	c, err := Verify(m.cfg.ConfirmKey, body)
	if err != nil {
		return Confirmation{}, err
	}
	now := m.cfg.Now()
	switch {
	case want != "" && c.Ref != want:
		return Confirmation{}, errWrongRef
	case c.SignedAt.IsZero():
		return Confirmation{}, fmt.Errorf("%w: confirmation without signedAt", ErrInvalid)
	case now.Sub(c.SignedAt) > m.cfg.MaxAge:
		return Confirmation{}, fmt.Errorf("%w: signed %s ago, limit %s", ErrStale, now.Sub(c.SignedAt).Round(time.Second), m.cfg.MaxAge)
	case c.SignedAt.Sub(now) > m.cfg.ClockSkew:
		return Confirmation{}, fmt.Errorf("%w: signed %s in the future", ErrStale, c.SignedAt.Sub(now).Round(time.Second))
	}
	return c, nil
}

// checkSession checks a payment against its session. Caller holds mu.
func (m *Manager) checkSession(s *Info, c Confirmation) error {
	if c.Status != "paid" {
		return nil
	}
	now, skew := m.cfg.Now(), m.cfg.ClockSkew
	switch {
	case c.Account != m.cfg.Account:
		return errWrongAccount
	case c.PaidAt.IsZero():
		return fmt.Errorf("%w: payment without paidAt", ErrInvalid)
	case c.PaidAt.Sub(now) > skew:
		return fmt.Errorf("%w: paid %s in the future", ErrStale, c.PaidAt.Sub(now).Round(time.Second))
	case s.Created.Sub(c.PaidAt) > skew:
		return fmt.Errorf("%w: transfer booked %s before the session existed", ErrStale, s.Created.Sub(c.PaidAt).Round(time.Second))
	}
	return nil
}

// reject logs and counts a confirmation that was not believed and returns
// err. ref is named only when it is the one asked about or verified.
func (m *Manager) reject(ref string, err error) error {
	reason := rejectReason(err)
	m.rmu.Lock()
	m.rejected[reason]++
	m.rmu.Unlock()
	m.cfg.Logger.Warn("payment confirmation rejected: nothing changed", "ref", ref, "reason", reason)
	return err
}

func rejectReason(err error) string {
	for _, r := range []struct {
		err    error
		reason string
	}{
		{errNoKey, "no_key"}, {ErrBadSignature, "bad_signature"}, {ErrStale, "stale"},
		{errWrongRef, "wrong_ref"}, {errWrongAccount, "wrong_account"}, {ErrInvalid, "malformed"},
	} {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "other"
}

// Rejected returns how many confirmations were rejected, by reason
// (bad_signature, stale, wrong_ref, wrong_account, malformed, no_key).
func (m *Manager) Rejected() map[string]uint64 {
	m.rmu.Lock()
	defer m.rmu.Unlock()
	out := make(map[string]uint64, len(m.rejected))
	for k, v := range m.rejected {
		out[k] = v
	}
	return out
}

// applyConfirmation checks c, runs check on its session under the lock, applies c and
// prints the receipt of a new payment.
func (m *Manager) applyConfirmation(ctx context.Context, c Confirmation, check func(*Info) error) (Info, error) {
	if err := c.check(); err != nil {
		return Info{}, err
	}
	info, printIt, err := m.confirm(ctx, c, check)
	if printIt && m.printer != nil {
		if perr := m.printer.PrintReceipt(ctx, m.receipt(info)); perr != nil {
			m.cfg.Logger.Warn("payment receipt not printed", "ref", info.Ref, "err", perr)
		}
	}
	return info, err
}

func (c Confirmation) check() error {
	switch {
	case c.Ref == "":
		return fmt.Errorf("%w: confirmation without ref", ErrInvalid)
	case c.Status != "pending" && c.Status != "paid" && c.Status != "failed":
		return fmt.Errorf("%w: status %q", ErrInvalid, c.Status)
	case c.Status == "paid" && (c.TransactionID == "" || c.Amount <= 0):
		return fmt.Errorf("%w: paid without transaction ID or amount", ErrInvalid)
	}
	return nil
}

func (m *Manager) confirm(ctx context.Context, c Confirmation, check func(*Info) error) (info Info, printIt bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.get(c.Ref)
	if err != nil {
		return Info{}, false, err
	}
	if check != nil {
		if err := check(s); err != nil {
			return *s, false, err
		}
	}
	if ref, seen := m.txns[c.TransactionID]; seen && c.TransactionID != "" {
		if ref != c.Ref {
			return *s, false, fmt.Errorf("%w: transaction %s belongs to %s", ErrConflict, c.TransactionID, ref)
		}
		return *s, false, nil // a retried webhook or a poll after a push
	}
	if err := m.timeout(ctx, s); err != nil {
		return *s, false, err
	}
	withTxn := func(t *Transition) { t.TxnID, t.Amount = c.TransactionID, c.Amount }
	switch {
	case c.Status == "pending":
		return *s, false, nil
	case c.Status == "failed" && !s.State.Terminal():
		err = m.transition(ctx, s, Failed, "back-end: "+c.Reason, withTxn)
	case c.Status == "failed":
		return *s, false, nil
	case s.State == Paid || s.State == Cancelled || s.State == Failed:
		if err = m.transition(ctx, s, s.State, "payment on a closed session: refund due", withTxn); err == nil {
			err = fmt.Errorf("%w: %s is %s, transaction %s needs a refund", ErrConflict, s.Ref, s.State, c.TransactionID)
		}
		return *s, false, err
	case c.Amount != s.Amount:
		err = m.transition(ctx, s, Failed, fmt.Sprintf("amount mismatch: paid %d, expected %d", c.Amount, s.Amount), withTxn)
	default:
		reason := ""
		if s.State == Expired {
			reason = "late confirmation"
		}
		err = m.transition(ctx, s, Paid, reason, withTxn)
		return *s, err == nil, err
	}
	return *s, false, err
}

func (m *Manager) receipt(s Info) Receipt {
	bank, _ := vietqr.LookupBank(m.cfg.BIN)
	acct := m.cfg.Account
	if len(acct) > 4 {
		acct = strings.Repeat("*", len(acct)-4) + acct[len(acct)-4:]
	}
	return Receipt{DeviceID: m.cfg.DeviceID, Ref: s.Ref, Amount: s.Amount, TxnID: s.TxnID, PaidAt: m.cfg.Now(),
		Purpose: s.Purpose, Bank: bank.Short, Account: acct}
}

// Poll asks the back-end once: GET {BaseURL}/v1/payments/{ref}. 404 means
// the back-end has not seen a transfer yet (pending); a 200 reply must be a
// signed confirmation of ref (ConfirmSigned). Transport failures and
// replies that are not believed wrap ErrBackend, so Await polls on.
func (m *Manager) Poll(ctx context.Context, ref string) (Info, error) {
	u := strings.TrimRight(m.cfg.BaseURL, "/") + "/v1/payments/" + url.PathEscape(ref)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrBackend, err)
	}
	req.Header.Set("Accept", "application/json")
	if m.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+m.cfg.Token)
	}
	resp, err := m.cfg.HTTPClient.Do(req)
	if err != nil {
		return Info{}, fmt.Errorf("%w: GET payment: %v", ErrBackend, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		return Info{}, fmt.Errorf("%w: GET payment: %v", ErrBackend, err)
	case resp.StatusCode == http.StatusNotFound:
		return m.Get(ctx, ref)
	case resp.StatusCode != http.StatusOK:
		return Info{}, fmt.Errorf("%w: GET payment: HTTP %d", ErrBackend, resp.StatusCode)
	case len(body) > maxBody:
		return Info{}, fmt.Errorf("%w: GET payment: reply over %d bytes", ErrBackend, maxBody)
	}
	info, err := m.ConfirmSigned(ctx, body, ref)
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrInvalid) {
		info, _ = m.Get(ctx, ref)
		return info, fmt.Errorf("%w: GET payment: %w", ErrBackend, err)
	}
	return info, err
}

// Await polls until the session ends (or ctx is done: the snapshot and
// ctx's error), doubling the delay
// from PollInitial up to PollMax; a push (Confirm) ends it early. Back-end
// errors are logged and polling continues.
func (m *Manager) Await(ctx context.Context, ref string) (Info, error) {
	delay := m.cfg.PollInitial
	for {
		info, err := m.Get(ctx, ref)
		if err != nil || info.State.Terminal() {
			return info, err
		}
		if info, err = m.Poll(ctx, ref); err != nil {
			if !errors.Is(err, ErrBackend) {
				return info, err
			}
			m.cfg.Logger.Warn("payment poll failed", "ref", ref, "err", err)
		} else if info.State.Terminal() {
			return info, nil
		}
		wait := delay
		if left := info.Deadline.Sub(m.cfg.Now()); left > 0 && left < wait {
			wait = left
		}
		if err := m.cfg.Sleep(ctx, wait); err != nil {
			info, _ := m.Get(context.WithoutCancel(ctx), ref)
			return info, fmt.Errorf("session: await %s: %w", ref, err)
		}
		delay = min(2*delay, m.cfg.PollMax)
	}
}

// PushHandler is the push hook: POST a signed confirmation (the same
// envelope a poll returns, at most 64 KiB). The signature is the
// authentication, as with payOS webhooks. It answers 200 with the session
// state (also for a repeated confirmation), 400 for a malformed body, 401
// for one not believed (signature, account, time window), 404 for an
// unknown reference, 409 for a conflict, 413 for an oversized body and 503
// when the transition could not be recorded (so the sender retries).
func (m *Manager) PushHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		info, err := m.ConfirmSigned(r.Context(), body, "")
		switch {
		case errors.Is(err, ErrUnauthorized):
			http.Error(w, "not authenticated", http.StatusUnauthorized)
		case errors.Is(err, ErrInvalid):
			http.Error(w, err.Error(), http.StatusBadRequest)
		case errors.Is(err, ErrUnknownRef):
			http.Error(w, "unknown reference", http.StatusNotFound)
		case errors.Is(err, ErrConflict):
			http.Error(w, "conflict: refund due", http.StatusConflict)
		case err != nil:
			http.Error(w, "not recorded, retry", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"ref": info.Ref, "state": string(info.State)})
		}
	})
}
