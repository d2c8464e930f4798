package transit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Sentinel errors callers branch on.
var (
	// ErrNeedsOnline: the token (a VNeID QR) can only be checked online.
	ErrNeedsOnline = errors.New("transit: token needs an online check")
	// ErrUnusableToken: the QR or card yields no usable token (unsupported
	// QR, random UID without a chip read, UID tokens not allowed).
	ErrUnusableToken = errors.New("transit: unusable token")
	// ErrNoChipKey: the ChipReader does not know this passenger's key.
	ErrNoChipKey = errors.New("transit: no access key for this chip")
	// ErrKey: the operator token key is missing or too short.
	ErrKey = errors.New("transit: token key unusable")
	// ErrBadList: a list from the back-end failed its signature or checks.
	ErrBadList = errors.New("transit: list rejected")
	// ErrListGap: a delta does not start at the version held.
	ErrListGap = errors.New("transit: list delta does not follow the held version")
	// ErrRollback: a list is older than the highest version ever accepted
	// (the version floor kept in the store). It wraps ErrBadList.
	ErrRollback = fmt.Errorf("%w: below the version floor", ErrBadList)
)

// MinKeyLen is the shortest operator token key accepted (bytes).
const MinKeyLen = 32

// Hash is a token's pseudonym: HMAC-SHA256 under the operator key.
type Hash [32]byte

// String is the hash in lower-case hex (what records and lists carry).
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash decodes a 64-character hex hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("transit: hash %q: want 64 hex digits", truncate(s, 16))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("transit: hash: %w", err)
	}
	return h, nil
}

// Kind says where a token came from.
type Kind string

// Token kinds.
const (
	KindQR    Kind = "cccd_qr"   // printed CCCD QR
	KindChip  Kind = "cccd_chip" // chip read (DG13/DG1) with the passenger's key
	KindUID   Kind = "uid"       // fixed chip UID
	KindVNeID Kind = "vneid"     // VNeID app QR: needs an online check
)

// Token is what the validator decides on. BirthDate is used for the
// concession and then forgotten; it is never recorded.
type Token struct {
	Kind      Kind
	Hash      Hash
	BirthDate time.Time // zero when unknown (UID tokens)
}

// ChipIdentity is what a full chip read yields for the decision.
type ChipIdentity struct {
	ID        string    // 12-digit ID number (hashed at once, never kept)
	BirthDate time.Time // from DG13 or DG1
}

// ChipReader reads a CCCD chip when the passenger's access key is known
// (e.g. a CAN registered on the account). The lead wires it to the identity
// pipeline; it returns ErrNoChipKey (wrapped) when it has no key.
type ChipReader interface {
	ReadChip(ctx context.Context, card nfc.Card) (ChipIdentity, error)
}

// Tokenizer turns QR payloads and cards into tokens.
type Tokenizer struct {
	key      []byte
	allowUID bool
	chip     ChipReader
}

// NewTokenizer makes a Tokenizer with the operator key (≥ MinKeyLen bytes);
// allowUID permits fixed chip UIDs as tokens; chip may be nil.
func NewTokenizer(key []byte, allowUID bool, chip ChipReader) (*Tokenizer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrKey, len(key), MinKeyLen)
	}
	return &Tokenizer{key: append([]byte(nil), key...), allowUID: allowUID, chip: chip}, nil
}

// LoadKey reads an operator token key file (raw bytes, or hex).
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	s := strings.TrimSpace(string(b))
	if d, err := hex.DecodeString(s); err == nil && len(d) >= MinKeyLen {
		return d, nil
	}
	if len(b) < MinKeyLen {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want at least %d", ErrKey, path, len(b), MinKeyLen)
	}
	return b, nil
}

// HashID is the token hash of a 12-digit ID number. The back-end computes the
// same value to build the lists.
func (t *Tokenizer) HashID(id string) Hash { return t.mac("cccd:", []byte(id)) }

// HashUID is the token hash of a fixed chip UID.
func (t *Tokenizer) HashUID(uid []byte) Hash { return t.mac("uid:", uid) }

func (t *Tokenizer) mac(domain string, b []byte) Hash {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(domain))
	m.Write(b)
	var h Hash
	m.Sum(h[:0])
	return h
}

// FromQR makes a token from a scanned QR payload: a CCCD QR gives its ID
// hash and birth date; a VNeID QR gives ErrNeedsOnline; anything else
// ErrUnusableToken.
func (t *Tokenizer) FromQR(payload string) (Token, error) {
	q, err := cccd.ParseQR(payload)
	if err == nil {
		return Token{Kind: KindQR, Hash: t.HashID(q.ID), BirthDate: q.DOB}, nil
	}
	if looksVNeID(payload) {
		h := sha256.Sum256([]byte(payload))
		return Token{Kind: KindVNeID, Hash: t.mac("vneid:", h[:])}, ErrNeedsOnline
	}
	return Token{}, fmt.Errorf("%w: %w", ErrUnusableToken, err)
}

// looksVNeID recognises a VNeID app QR. Its format is not public; it is a
// signed URL or token mentioning VNeID, never the pipe-separated card QR.
func looksVNeID(p string) bool {
	if len(p) > cccd.MaxQRLen {
		return false
	}
	l := strings.ToLower(p)
	return strings.Contains(l, "vneid")
}

// FromCard makes a token from a card in the field: a full chip read when the
// ChipReader knows the key, else the UID when it is fixed and allowed.
func (t *Tokenizer) FromCard(ctx context.Context, card nfc.Card) (Token, error) {
	if t.chip != nil {
		id, err := t.chip.ReadChip(ctx, card)
		switch {
		case err == nil:
			if len(id.ID) != 12 {
				return Token{}, fmt.Errorf("%w: chip read gave no ID number", ErrUnusableToken)
			}
			return Token{Kind: KindChip, Hash: t.HashID(id.ID), BirthDate: id.BirthDate}, nil
		case !errors.Is(err, ErrNoChipKey):
			return Token{}, fmt.Errorf("transit: chip read: %w", err)
		}
	}
	info := card.Info()
	if info.UIDRandom || nfc.RandomUID(info.UID) || len(info.UID) == 0 {
		return Token{}, fmt.Errorf("%w: random UID and no chip key", ErrUnusableToken)
	}
	if !t.allowUID {
		return Token{}, fmt.Errorf("%w: UID tokens not allowed here", ErrUnusableToken)
	}
	return Token{Kind: KindUID, Hash: t.HashUID(info.UID)}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
