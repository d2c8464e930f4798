package session

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/kiosk06/kiosk/payments/vietqr"
)

// maxBody bounds back-end and webhook bodies.
const maxBody = 64 << 10

// Confirm applies the back-end's word on a payment. It is idempotent: a
// transaction ID already applied returns the current state and changes
// nothing. A payment with the expected amount moves created|qr_shown →
// paid, and also expired → paid (the money has arrived; the reason says
// "late"); any other amount → failed. A payment on a session already
// paid, cancelled or failed is recorded (same state, reason "refund due")
// and returns ErrConflict. The receipt is printed once, after the paid
// transition is durable.
func (m *Manager) Confirm(ctx context.Context, c Confirmation) (Info, error) {
	if err := c.check(); err != nil {
		return Info{}, err
	}
	info, printIt, err := m.confirm(ctx, c)
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

func (m *Manager) confirm(ctx context.Context, c Confirmation) (info Info, printIt bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.get(c.Ref)
	if err != nil {
		return Info{}, false, err
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
// the back-end has not seen a transfer yet (pending).
func (m *Manager) Poll(ctx context.Context, ref string) (Info, error) {
	u := strings.TrimRight(m.cfg.BaseURL, "/") + "/v1/payments/" + url.PathEscape(ref)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrBackend, err)
	}
	req.Header.Set("Accept", "application/json")
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
		return m.Confirm(ctx, Confirmation{Ref: ref, Status: "pending"})
	case resp.StatusCode != http.StatusOK:
		return Info{}, fmt.Errorf("%w: GET payment: HTTP %d", ErrBackend, resp.StatusCode)
	case len(body) > maxBody:
		return Info{}, fmt.Errorf("%w: GET payment: reply over %d bytes", ErrBackend, maxBody)
	}
	var c Confirmation
	if err := json.Unmarshal(body, &c); err != nil {
		return Info{}, fmt.Errorf("%w: GET payment: %v", ErrBackend, err)
	}
	if c.Ref != "" && c.Ref != ref {
		return Info{}, fmt.Errorf("%w: asked for %s, reply is for %s", ErrBackend, ref, c.Ref)
	}
	c.Ref = ref
	return m.Confirm(ctx, c)
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

// PushHandler is the push hook: POST a Confirmation as JSON with
// "Authorization: Bearer {PushToken}". It answers 200 with the session
// state (also for a repeated confirmation), 401, 400, 404 for an unknown
// ref, 409 for a conflict and 503 when the transition could not be
// recorded (so the sender retries).
func (m *Manager) PushHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if !bearerOK(r, m.cfg.PushToken) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var c Confirmation
		dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
		if err := dec.Decode(&c); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		info, err := m.Confirm(r.Context(), c)
		switch {
		case errors.Is(err, ErrInvalid):
			http.Error(w, err.Error(), http.StatusBadRequest)
		case errors.Is(err, ErrUnknownRef):
			http.Error(w, err.Error(), http.StatusNotFound)
		case errors.Is(err, ErrConflict):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, "not recorded, retry", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"ref": info.Ref, "state": string(info.State)})
		}
	})
}

func bearerOK(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return token != "" && ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}
