package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
)

// Enrol captures a finger twice, stores the model in a free module slot
// and binds it to id. Consent must be given. An existing binding for id is
// replaced (its slot is freed). If the audit record cannot be written the
// enrolment is rolled back.
func (h *Holder) Enrol(ctx context.Context, id string, consent Consent) (Binding, error) {
	if err := checkID(id); err != nil {
		return Binding{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	hash := h.IDHash(id)
	b, err := h.enrol(ctx, hash, consent)
	if aerr := h.record(ctx, ActionEnrol, hash, b.Slot, 0, err); aerr != nil && err == nil {
		h.rollback(ctx, b)
		return Binding{}, aerr
	}
	return b, err
}

func (h *Holder) enrol(ctx context.Context, hash string, consent Consent) (Binding, error) {
	b := Binding{IDHash: hash, Slot: -1}
	if !consent.Given {
		return b, ErrNoConsent
	}
	if h.mod == nil {
		return b, fmt.Errorf("identity: enrol: %w", ErrModuleAbsent)
	}
	if old, err := h.store.GetBinding(ctx, hash); err == nil {
		if err := h.erase(ctx, old); err != nil {
			return b, err
		}
	} else if !errors.Is(err, ErrNotEnrolled) {
		return b, fmt.Errorf("identity: enrol: %w", err)
	}
	slot, err := h.freeSlot(ctx)
	if err != nil {
		return b, err
	}
	cctx, cancel := context.WithTimeout(ctx, h.opts.CaptureTimeout)
	defer cancel()
	if err := h.mod.Enroll(cctx, slot, h.opts.Prompt); err != nil {
		return b, moduleErr("enrol", err)
	}
	now := h.opts.Now()
	b = Binding{IDHash: hash, Slot: slot, Created: now, ConsentVersion: consent.Version, ConsentAt: consent.At}
	if h.opts.Retention > 0 {
		b.Expires = now.Add(h.opts.Retention)
	}
	if err := h.store.PutBinding(ctx, b); err != nil {
		_ = h.mod.DeleteChar(ctx, slot, 1)
		return Binding{IDHash: hash, Slot: -1}, fmt.Errorf("identity: enrol: store binding: %w", err)
	}
	return b, nil
}

func (h *Holder) rollback(ctx context.Context, b Binding) {
	if b.Slot >= 0 {
		_ = h.erase(ctx, b)
	}
}

// freeSlot returns the lowest library slot no binding uses.
func (h *Holder) freeSlot(ctx context.Context) (int, error) {
	bs, err := h.store.ListBindings(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: list bindings: %w", err)
	}
	used := make([]int, 0, len(bs))
	for _, b := range bs {
		used = append(used, b.Slot)
	}
	capacity := h.mod.SysPara().Capacity
	for slot := 0; slot < capacity; slot++ {
		if !slices.Contains(used, slot) {
			return slot, nil
		}
	}
	return 0, ErrLibraryFull
}

// VerifyResult is a successful 1:1 verification.
type VerifyResult struct {
	Slot  int
	Score int
}

// Verify checks 1:1 that the finger on the sensor is the one bound to id.
// Errors: ErrNotEnrolled, ErrNotVerified, ErrModuleAbsent (all audited).
func (h *Holder) Verify(ctx context.Context, id string) (VerifyResult, error) {
	if err := checkID(id); err != nil {
		return VerifyResult{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	hash := h.IDHash(id)
	res, err := h.verify(ctx, hash)
	if aerr := h.record(ctx, ActionVerify, hash, res.Slot, res.Score, err); aerr != nil && err == nil {
		return VerifyResult{}, fmt.Errorf("%w: %w", ErrNotVerified, aerr)
	}
	return res, err
}

func (h *Holder) verify(ctx context.Context, hash string) (VerifyResult, error) {
	res := VerifyResult{Slot: -1}
	b, err := h.binding(ctx, hash)
	if err != nil {
		return res, err
	}
	res.Slot = b.Slot
	if h.mod == nil {
		return res, fmt.Errorf("identity: verify: %w", ErrModuleAbsent)
	}
	cctx, cancel := context.WithTimeout(ctx, h.opts.CaptureTimeout)
	defer cancel()
	score, err := h.mod.VerifySlot(cctx, b.Slot, h.opts.Prompt)
	res.Score = score
	if err != nil {
		return res, moduleErr("verify", err)
	}
	if score < h.opts.Threshold {
		return res, fmt.Errorf("identity: verify: %w: %w (%d < %d)", ErrNotVerified, errLowScore, score, h.opts.Threshold)
	}
	return res, nil
}

// Enrolled reports whether id has an unexpired binding, without the
// fingerprint module: a kiosk asks the right question first (verify an
// enrolled finger, or offer enrolment).
func (h *Holder) Enrolled(ctx context.Context, id string) (bool, error) {
	if err := checkID(id); err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.binding(ctx, h.IDHash(id))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotEnrolled):
		return false, nil
	}
	return false, err
}

// NoFinger reports whether err says no finger was placed on the sensor in
// time (the capture timed out), as opposed to a finger that did not match
// or a module fault.
func NoFinger(err error) bool {
	return errors.Is(err, fingerprint.ErrNoFinger) || errors.Is(err, context.DeadlineExceeded)
}

// binding fetches an unexpired binding, erasing it if it has expired.
func (h *Holder) binding(ctx context.Context, hash string) (Binding, error) {
	b, err := h.store.GetBinding(ctx, hash)
	if err != nil {
		if errors.Is(err, ErrNotEnrolled) {
			return b, err
		}
		return b, fmt.Errorf("identity: get binding: %w", err)
	}
	if h.expired(b) {
		err := h.erase(ctx, b)
		_ = h.record(ctx, ActionExpire, b.IDHash, b.Slot, 0, err)
		return b, ErrNotEnrolled
	}
	return b, nil
}

func (h *Holder) expired(b Binding) bool {
	return !b.Expires.IsZero() && !h.opts.Now().Before(b.Expires)
}

// Search identifies 1:N a returning citizen among the bindings; it returns
// the binding found. Only when HolderOptions.Search is set.
func (h *Holder) Search(ctx context.Context) (Binding, int, error) {
	if !h.opts.Search {
		return Binding{}, 0, ErrSearchDisabled
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	b, score, err := h.search(ctx)
	if aerr := h.record(ctx, ActionSearch, b.IDHash, b.Slot, score, err); aerr != nil && err == nil {
		return Binding{}, 0, fmt.Errorf("%w: %w", ErrNotVerified, aerr)
	}
	return b, score, err
}

func (h *Holder) search(ctx context.Context) (Binding, int, error) {
	none := Binding{Slot: -1}
	if h.mod == nil {
		return none, 0, fmt.Errorf("identity: search: %w", ErrModuleAbsent)
	}
	cctx, cancel := context.WithTimeout(ctx, h.opts.CaptureTimeout)
	defer cancel()
	slot, score, err := h.mod.Identify(cctx, h.opts.Prompt)
	if err != nil {
		return none, 0, moduleErr("search", err)
	}
	if score < h.opts.Threshold {
		return none, score, fmt.Errorf("identity: search: %w: %w", ErrNotVerified, errLowScore)
	}
	bs, err := h.store.ListBindings(ctx)
	if err != nil {
		return none, 0, fmt.Errorf("identity: list bindings: %w", err)
	}
	for _, b := range bs {
		if b.Slot == slot && !h.expired(b) {
			return b, score, nil
		}
	}
	return none, score, fmt.Errorf("identity: search: %w: slot %d is not bound", ErrNotVerified, slot)
}

// Delete erases id's template and binding (the citizen's erasure request).
// If the module cannot delete the template the binding is kept so the
// request can be retried, and ErrModuleAbsent is returned.
func (h *Holder) Delete(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	hash := h.IDHash(id)
	b, err := h.store.GetBinding(ctx, hash)
	if err == nil {
		err = h.erase(ctx, b)
	} else {
		b.Slot = -1
	}
	if aerr := h.record(ctx, ActionDelete, hash, b.Slot, 0, err); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}

// erase deletes a binding's template, then the binding.
func (h *Holder) erase(ctx context.Context, b Binding) error {
	if h.mod == nil {
		return fmt.Errorf("identity: delete: %w", ErrModuleAbsent)
	}
	if err := h.mod.DeleteChar(ctx, b.Slot, 1); err != nil {
		return moduleErr("delete", err)
	}
	if err := h.store.DeleteBinding(ctx, b.IDHash); err != nil {
		return fmt.Errorf("identity: delete binding: %w", err)
	}
	return nil
}

// ExpireBindings erases every expired binding and returns how many; run it
// periodically. Failures are audited and the first is returned.
func (h *Holder) ExpireBindings(ctx context.Context) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	bs, err := h.store.ListBindings(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: list bindings: %w", err)
	}
	n := 0
	var first error
	for _, b := range bs {
		if !h.expired(b) {
			continue
		}
		err := h.erase(ctx, b)
		if aerr := h.record(ctx, ActionExpire, b.IDHash, b.Slot, 0, err); err == nil {
			err = aerr
		}
		if err == nil {
			n++
		} else if first == nil {
			first = err
		}
	}
	return n, first
}

// Ensure the driver satisfies the interface.
var _ FingerprintModule = (*fingerprint.Dev)(nil)
