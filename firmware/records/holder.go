package records

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/store"
)

// bindingsKey is the sealed KV entry holding every holder binding.
const bindingsKey = "identity.holder.bindings"

// HolderStore keeps fingerprint holder bindings in the store, sealed (the
// ID-number hash links a person across visits), and audits every enrol,
// verify, search and delete as an "identity.holder" record whose hash is
// sealed too. Bindings never leave the device; audit records are uploaded.
type HolderStore struct {
	st *store.Store
	mu sync.Mutex // serialises read-modify-write of the bindings entry
}

// NewHolderStore returns the binding store and auditor over st.
func NewHolderStore(st *store.Store) *HolderStore { return &HolderStore{st: st} }

func (h *HolderStore) load(ctx context.Context) (map[string]identity.Binding, error) {
	b, err := h.st.GetSealed(ctx, bindingsKey)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]identity.Binding{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("records: holder bindings: %w", err)
	}
	m := map[string]identity.Binding{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("records: holder bindings: %w", err)
	}
	return m, nil
}

func (h *HolderStore) save(ctx context.Context, m map[string]identity.Binding) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("records: holder bindings: %w", err)
	}
	return h.st.PutSealed(ctx, bindingsKey, b)
}

// PutBinding stores b (replacing any binding of the same ID hash).
func (h *HolderStore) PutBinding(ctx context.Context, b identity.Binding) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.load(ctx)
	if err != nil {
		return err
	}
	m[b.IDHash] = b
	return h.save(ctx, m)
}

// GetBinding returns the binding of idHash or identity.ErrNotEnrolled.
func (h *HolderStore) GetBinding(ctx context.Context, idHash string) (identity.Binding, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.load(ctx)
	if err != nil {
		return identity.Binding{}, err
	}
	b, ok := m[idHash]
	if !ok {
		return identity.Binding{}, identity.ErrNotEnrolled
	}
	return b, nil
}

// DeleteBinding removes the binding of idHash (no error if there is none).
func (h *HolderStore) DeleteBinding(ctx context.Context, idHash string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.load(ctx)
	if err != nil {
		return err
	}
	if _, ok := m[idHash]; !ok {
		return nil
	}
	delete(m, idHash)
	return h.save(ctx, m)
}

// ListBindings returns every binding, oldest first.
func (h *HolderStore) ListBindings(ctx context.Context) ([]identity.Binding, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]identity.Binding, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// KindIdentityHolder is the record kind of the holder binding's audit.
const KindIdentityHolder = "identity.holder"

// IdentityHolder is the payload of identity.holder; the binding's
// ID-number hash is sealed apart (PersonalFingerprint).
type IdentityHolder struct {
	Time    string `json:"time"`            // when, UTC, RFC 3339 with milliseconds
	Action  string `json:"action"`          // identity.HolderAction: enrol, verify, search, delete, expire
	Slot    int    `json:"slot"`            // the fingerprint module's template slot (-1: none)
	Outcome string `json:"outcome"`         // ok, no_match, no_finger, bad_image, module_absent, not_enrolled, no_consent, library_full, error
	Score   int    `json:"score,omitempty"` // the module's match score (verify, search)
}

// RecordKind implements Payload.
func (IdentityHolder) RecordKind() string { return KindIdentityHolder }

// AuditHolder records ev durably.
func (h *HolderStore) AuditHolder(ctx context.Context, ev identity.HolderEvent) error {
	_, err := Append(ctx, h.st, ev.Time, IdentityHolder{
		Time: ev.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Action: string(ev.Action),
		Slot: ev.Slot, Outcome: ev.Outcome, Score: ev.Score,
	}, Personal{PersonalFingerprint: ev.IDHash})
	return err
}

var (
	_ identity.BindingStore  = (*HolderStore)(nil)
	_ identity.HolderAuditor = (*HolderStore)(nil)
)
