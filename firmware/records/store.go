package records

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Record kinds the store itself writes (firmware/store appends them, since
// they describe the store's own life; they are registered here so that one
// registry lists every kind a backend receives).
const (
	KindStoreEpochReset = store.KindEpochReset
	KindStoreSalvage    = store.KindSalvage
)

// StoreEpochReset is the payload of store.epoch_reset: the database started
// empty (or as another database) where the epoch marker says another epoch
// of this device ran. Records of the previous epoch that were not uploaded
// are lost; the backend learns how far that epoch had got.
type StoreEpochReset struct {
	PreviousEpoch        string    `json:"previous_epoch"`         // the epoch that ended (hex)
	PreviousLastSeq      store.Seq `json:"previous_last_seq"`      // its last seq when the marker was written (a lower bound)
	PreviousAckedThrough store.Seq `json:"previous_acked_through"` // acknowledged through, at that time
	MarkerUpdated        time.Time `json:"marker_updated"`         // when the marker was last written
	Database             string    `json:"database"`               // "new" (empty or missing file) or "replaced"
}

// RecordKind implements Payload.
func (StoreEpochReset) RecordKind() string { return KindStoreEpochReset }

// StoreSalvage is the payload of store.salvage: `kioskd diag store salvage`
// copied what it could read of a damaged database into a new epoch.
type StoreSalvage struct {
	PreviousEpoch    string           `json:"previous_epoch"`    // empty for a database older than epochs
	Rehomed          int              `json:"rehomed"`           // records copied with their original epoch and seq
	SealedUnreadable int              `json:"sealed_unreadable"` // re-homed records whose sealed fields the key could not open
	UnreadableSeqs   []store.SeqRange `json:"unreadable_seqs"`   // seqs SQLite could not read
	MissingSeqs      []store.SeqRange `json:"missing_seqs"`      // gaps below the last seq
	Reason           string           `json:"reason"`            // why the salvage ran
}

// RecordKind implements Payload.
func (StoreSalvage) RecordKind() string { return KindStoreSalvage }
