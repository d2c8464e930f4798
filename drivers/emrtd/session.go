package emrtd

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// AccessKey is what the terminal knows to open the chip: the CAN (card
// access number, printed on the card; for the CCCD the last 6 digits of the
// ID number) and/or the MRZ fields (document number, date of birth and date
// of expiry as YYMMDD). Personal data: never log it.
type AccessKey struct {
	CAN            string
	DocumentNumber string
	DateOfBirth    string
	DateOfExpiry   string
}

func (k AccessKey) hasMRZ() bool {
	return k.DocumentNumber != "" && len(k.DateOfBirth) == 6 && len(k.DateOfExpiry) == 6
}

// Method is how the session was opened.
type Method string

// Access methods.
const (
	MethodPACECAN Method = "PACE-CAN"
	MethodPACEMRZ Method = "PACE-MRZ"
	MethodBAC     Method = "BAC"
)

// DefaultMaxLe keeps a protected READ BINARY response within one PN532
// frame (design §4): 223 data bytes → 224 padded + DOs + SW = 244 bytes.
const DefaultMaxLe = 223

// Options tune Open.
type Options struct {
	// Rand supplies challenges, keys and nonces (crypto/rand when nil);
	// tests inject a fixed stream to reproduce the ICAO worked examples.
	Rand io.Reader
	// MaxLe bounds each READ BINARY (DefaultMaxLe when 0; at most 65536).
	MaxLe int
	// Progress, when set, is the default progress callback of ReadFile.
	Progress func(done, total int)
	// Logger receives protocol-level debug lines (never keys or data).
	Logger *slog.Logger
}

// Stats counts what went over the wire (for the benchmarks).
type Stats struct {
	APDUs     int
	BytesSent int // command APDU bytes
	BytesRecv int // response APDU bytes (including SW)
	// Reopens counts secure messaging sessions re-established after the
	// chip ended one (see Session.transmit).
	Reopens int
}

// Session is an open eMRTD: access control done, secure messaging on.
// It is not safe for concurrent use.
type Session struct {
	card       nfc.Card
	rand       io.Reader
	maxLe      int
	progress   func(done, total int)
	log        *slog.Logger
	sm         *sm.Keys
	method     Method
	cardAccess *SecurityInfos
	stats      Stats
	// key and pace are what opened the session, kept to re-establish it
	// (key is personal data: never log it).
	key  AccessKey
	pace PACEInfo
	// smState is the secure messaging session as far as the terminal can
	// tell (see transmit).
	smState smState
}

// smState tracks the secure messaging session through the chip's
// unprotected answers.
type smState int

const (
	// smLive: the last response was protected and verified.
	smLive smState = iota
	// smResync: the chip answered the last protected command with a plain
	// status word, which ICAO Doc 9303-11 reserves for SM errors (§9.8.5).
	// Chips differ on what follows: the terminal assumes the chip kept the
	// session and counted that response in the SSC, and the next
	// protected response confirms it; anything else ends the session.
	smResync
	// smEnded: the chip ended secure messaging (6987/6988, §9.8.3 and
	// §9.8.5) or the SSC could not be recovered; the session must be
	// re-established before the next protected command.
	smEnded
)

// errSMEnded: the chip's secure messaging session is gone; re-establishing
// it (reopen) and repeating the operation may succeed.
var errSMEnded = fmt.Errorf("%w: the chip ended the session (ICAO 9303-11 §9.8.5)", ErrSecureMessaging)

// maxReopens bounds how often one Session re-establishes secure messaging.
const maxReopens = 16

// Method reports how access was gained.
func (s *Session) Method() Method { return s.method }

// CardAccess is the parsed EF.CardAccess (nil on a BAC-only chip).
func (s *Session) CardAccess() *SecurityInfos { return s.cardAccess }

// CheckCardAccess verifies the EF.CardAccess this session was opened with
// against DG14 (see the package function CheckCardAccess): call it once
// Passive Authentication has verified DG14.
func (s *Session) CheckCardAccess(dg14 []byte) error { return CheckCardAccess(s.cardAccess, dg14) }

// Stats reports the APDUs and bytes exchanged so far.
func (s *Session) Stats() Stats { return s.stats }

// Open reads EF.CardAccess, runs PACE (CAN first, then MRZ) when the chip
// offers it and falls back to BAC with the MRZ, then selects the LDS1
// application. Errors: ErrWrongKey, ErrNoAccessKey, ErrNotEMRTD,
// ErrUnsupported, nfc transport errors (nfc.ErrCardRemoved …), each inside
// a *StepError naming the failed step.
func Open(ctx context.Context, card nfc.Card, key AccessKey, opt Options) (*Session, error) {
	s := &Session{card: card, rand: opt.Rand, maxLe: opt.MaxLe, progress: opt.Progress, log: opt.Logger, key: key}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.maxLe <= 0 || s.maxLe > 65536 {
		s.maxLe = DefaultMaxLe
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if key.CAN == "" && !key.hasMRZ() {
		return nil, ErrNoAccessKey
	}
	ca, err := s.readCardAccess(ctx)
	if err != nil {
		return nil, err
	}
	s.cardAccess = ca
	paceErr := s.tryPACE(ctx, key)
	if paceErr == nil {
		if err := s.selectApplication(ctx); err != nil {
			return nil, err
		}
		return s, nil
	}
	if isTransport(paceErr) || !key.hasMRZ() {
		return nil, paceErr
	}
	s.log.Debug("emrtd: falling back to BAC", "pace", paceErr)
	if err := s.selectApplication(ctx); err != nil {
		return nil, err
	}
	if err := s.doBAC(ctx, key); err != nil {
		return nil, err
	}
	s.method = MethodBAC
	return s, nil
}

// errNoPACE: the chip offers no PACE variant we can run.
var errNoPACE = fmt.Errorf("%w: chip offers no supported PACE", ErrUnsupported)

func (s *Session) tryPACE(ctx context.Context, key AccessKey) error {
	if s.cardAccess == nil {
		return errNoPACE
	}
	info, ok := choosePACE(s.cardAccess.PACE)
	if !ok {
		return errNoPACE
	}
	s.pace = info
	var err error
	if key.CAN != "" {
		if err = s.doPACE(ctx, info, s.cardAccess, passwordCAN(key.CAN)); err == nil {
			s.method = MethodPACECAN
			return nil
		}
		if isTransport(err) || !key.hasMRZ() {
			return err
		}
	}
	if key.hasMRZ() {
		if err = s.doPACE(ctx, info, s.cardAccess, passwordMRZ(key)); err == nil {
			s.method = MethodPACEMRZ
			return nil
		}
	}
	return err
}

// isTransport reports errors of the card link, which no fallback can fix.
func isTransport(err error) bool {
	return errors.Is(err, nfc.ErrCardRemoved) || errors.Is(err, nfc.ErrNoCard) ||
		errors.Is(err, nfc.ErrTimeout) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

// readCardAccess selects the MF (a 6D00 or any refusal is tolerated, as the
// CCCD does) and reads EF.CardAccess; a chip without it is BAC-only (nil).
func (s *Session) readCardAccess(ctx context.Context) (*SecurityInfos, error) {
	if _, _, err := s.transmit(ctx, sm.Command{INS: 0xA4, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}); err != nil {
		return nil, stepErr("SELECT", "MF", err)
	}
	b, err := s.ReadFile(ctx, FileCardAccess, func(int, int) {})
	if err != nil && !isTransport(err) {
		// Some chips only offer EF.CardAccess by short EF identifier.
		b, err = s.readEF(ctx, "EF.CardAccess (SFI 1C)", sfiCardAccess, func(int, int) {})
	}
	if err != nil {
		if isTransport(err) {
			return nil, err
		}
		s.log.Debug("emrtd: no EF.CardAccess", "err", err)
		return nil, nil
	}
	ca, err := ParseCardAccess(b)
	if err != nil {
		s.log.Debug("emrtd: EF.CardAccess unreadable", "err", err)
		return nil, nil
	}
	return ca, nil
}

// selectApplication selects the LDS1 application by AID.
func (s *Session) selectApplication(ctx context.Context) error {
	_, sw, err := s.transmit(ctx, sm.Command{INS: 0xA4, P1: 0x04, P2: 0x0C, Data: AIDLDS1})
	if err != nil {
		return stepErr("SELECT", "LDS1 application", err)
	}
	if sw != 0x9000 {
		return stepErr("SELECT", "LDS1 application", fmt.Errorf("%w: %w", ErrNotEMRTD, &StatusError{SW: sw}))
	}
	return nil
}

// transmit sends one command, protected when a secure messaging session is
// open, and returns the response data and status.
//
// Inside secure messaging ICAO Doc 9303-11 has every response protected
// (DO'99' status, DO'8E' MAC, §9.8.4), a refusal such as 6A82 or 6982
// included; only the SM errors 6987 ("expected SM data objects missing")
// and 6988 ("SM data objects incorrect") come back plain, and the chip has
// then ended the session and deleted its keys (§9.8.3, §9.8.5). Issued
// chips differ on the refusals: some answer them plain and keep the
// session, counting that response in the SSC or not; some end the session.
// So a plain refusal is returned as its status (the caller learns "file
// not found") and the session goes to smResync, assuming the SSC counted
// it; the next response confirms that, or the session ends (errSMEnded)
// and withSession re-establishes it. A plain 6987/6988 is errSMEnded. A
// protected response that does not verify outside smResync, or a plain
// "success", is ErrSecureMessaging: it is never retried.
func (s *Session) transmit(ctx context.Context, c sm.Command) ([]byte, uint16, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if s.smState == smEnded {
		return nil, 0, errSMEnded
	}
	var raw []byte
	if s.sm != nil {
		w, err := s.sm.Wrap(c)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %v", ErrSecureMessaging, err)
		}
		raw = w
	} else {
		raw = c.Encode()
	}
	resp, err := s.card.Transmit(ctx, raw)
	s.stats.APDUs++
	s.stats.BytesSent += len(raw)
	s.stats.BytesRecv += len(resp)
	if err != nil {
		return nil, 0, err
	}
	if len(resp) < 2 {
		return nil, 0, fmt.Errorf("%w: response of %d bytes", nfc.ErrProtocol, len(resp))
	}
	sw := uint16(resp[len(resp)-2])<<8 | uint16(resp[len(resp)-1])
	body := resp[:len(resp)-2]
	if s.sm == nil {
		return body, sw, nil
	}
	data, inner, err := s.sm.Unwrap(body, sw)
	plain := errors.Is(err, sm.ErrNoSSCMAC) && len(body) == 0
	switch {
	case err == nil:
		s.smState = smLive
		return data, inner, nil
	case plain && (sw == 0x6987 || sw == 0x6988):
		s.endSM("the chip reported an SM error", sw)
		return nil, sw, fmt.Errorf("%w: %w", errSMEnded, &StatusError{SW: sw})
	case plain && (sw == 0x9000 || sw == 0x6282 || sw&0xFF00 == 0x6100):
		// A success must be protected: nothing vouches for it.
		s.endSM("the chip answered success without secure messaging", sw)
		return nil, sw, fmt.Errorf("%w: unprotected success (SW %04X)", ErrSecureMessaging, sw)
	case plain && s.smState == smResync:
		// A second plain answer in a row: the assumed SSC is unconfirmed
		// and this may be a chip refusing a command it cannot verify.
		s.endSM("second unprotected status word in a row", sw)
		return nil, sw, fmt.Errorf("%w: %w", errSMEnded, &StatusError{SW: sw})
	case plain:
		s.smState = smResync
		s.log.Debug("emrtd: unprotected status word inside secure messaging", "sw", fmt.Sprintf("%04X", sw))
		return nil, sw, nil
	case s.smState == smResync:
		// The first protected answer after a plain one does not verify:
		// the chip counted the SSC differently.
		s.endSM("SSC not recovered after an unprotected status word", sw)
		return nil, sw, fmt.Errorf("%w: %v (SW %04X)", errSMEnded, err, sw)
	}
	s.endSM("protected response does not verify", sw)
	return nil, sw, fmt.Errorf("%w: %v (SW %04X)", ErrSecureMessaging, err, sw)
}

// endSM drops the session keys: the next protected command needs reopen.
func (s *Session) endSM(why string, sw uint16) {
	s.sm, s.smState = nil, smEnded
	s.log.Debug("emrtd: secure messaging ended", "why", why, "sw", fmt.Sprintf("%04X", sw))
}

// reopen re-establishes secure messaging the way Open did (PACE with the
// same password, or BAC) and selects the LDS1 application again. The new
// session is not chip-authenticated: Chip Authentication must run again.
func (s *Session) reopen(ctx context.Context) error {
	if s.stats.Reopens >= maxReopens {
		return fmt.Errorf("%w: secure messaging re-established %d times", ErrSecureMessaging, s.stats.Reopens)
	}
	s.stats.Reopens++
	s.sm, s.smState = nil, smLive
	s.log.Debug("emrtd: re-establishing secure messaging", "method", s.method)
	switch s.method {
	case MethodPACECAN, MethodPACEMRZ:
		// PACE runs in the MF; a refused SELECT MF is fine (the CCCD
		// answers 6D00), as in Open.
		if _, _, err := s.transmit(ctx, sm.Command{INS: 0xA4, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}); err != nil {
			return stepErr("SELECT", "MF", err)
		}
		pw := passwordCAN(s.key.CAN)
		if s.method == MethodPACEMRZ {
			pw = passwordMRZ(s.key)
		}
		if err := s.doPACE(ctx, s.pace, s.cardAccess, pw); err != nil {
			return err
		}
		return s.selectApplication(ctx)
	case MethodBAC:
		if err := s.selectApplication(ctx); err != nil {
			return err
		}
		return s.doBAC(ctx, s.key)
	}
	return fmt.Errorf("%w: no session to re-establish", ErrSecureMessaging)
}

// withSession runs op, and when the chip ended secure messaging under it
// (errSMEnded) re-establishes the session and runs op once more.
func (s *Session) withSession(ctx context.Context, op func() error) error {
	if s.smState == smEnded {
		if err := s.reopen(ctx); err != nil {
			return err
		}
	}
	err := op()
	if !errors.Is(err, errSMEnded) {
		return err
	}
	if rerr := s.reopen(ctx); rerr != nil {
		return fmt.Errorf("%w (after: %v)", rerr, err)
	}
	return op()
}

// selectFile selects an elementary file by FID (P1=02: under the current
// DF; P2=0C: no FCI).
func (s *Session) selectFile(ctx context.Context, fid uint16) error {
	_, sw, err := s.transmit(ctx, sm.Command{INS: 0xA4, P1: 0x02, P2: 0x0C, Data: []byte{byte(fid >> 8), byte(fid)}})
	if err != nil {
		return err
	}
	if sw != 0x9000 {
		return &StatusError{SW: sw}
	}
	return nil
}

// readBinary reads up to n bytes at offset: INS B0 with the offset in
// P1-P2 up to 32767, INS B1 with DO'54' beyond (ISO/IEC 7816-4 §11.2.3).
// It returns the data and the status (9000, or 6282 at end of file).
func (s *Session) readBinary(ctx context.Context, offset, n int) ([]byte, uint16, error) {
	return s.readBinarySFI(ctx, 0, offset, n)
}

// sfiCardAccess is EF.CardAccess's short EF identifier (9303-10 §4.6.1).
const sfiCardAccess = 0x1C

// readBinarySFI is readBinary; a non-zero sfi at offset 0 reads by short
// EF identifier (P1 = 80 | SFI), which also selects the file.
func (s *Session) readBinarySFI(ctx context.Context, sfi byte, offset, n int) ([]byte, uint16, error) {
	if sfi != 0 && offset == 0 {
		return s.transmit(ctx, sm.Command{INS: 0xB0, P1: 0x80 | sfi, Ne: n})
	}
	if offset <= 0x7FFF {
		data, sw, err := s.transmit(ctx, sm.Command{INS: 0xB0, P1: byte(offset >> 8), P2: byte(offset), Ne: n})
		return data, sw, err
	}
	off := []byte{byte(offset >> 16), byte(offset >> 8), byte(offset)}
	if offset <= 0xFFFF {
		off = off[1:]
	}
	data, sw, err := s.transmit(ctx, sm.Command{INS: 0xB1, Data: EncodeTLV(0x54, off), Ne: n + 3})
	if err != nil || (sw != 0x9000 && sw != 0x6282) {
		return nil, sw, err
	}
	t, _, perr := ParseTLV(data)
	if perr != nil || t.Tag != 0x53 {
		return nil, sw, malformed("READ BINARY (B1): response is not DO'53'")
	}
	return t.Value, sw, nil
}

// maxTLVHeader is the longest tag + length header a file starts with.
const maxTLVHeader = maxTagBytes + 1 + maxLenBytes

// maxFileSize bounds a file read from a card (DG2 with a large JPEG2000
// fits well within it).
const maxFileSize = 1 << 20

// ReadFile selects the elementary file fid and reads it whole: the first
// chunk gives the BER-TLV length, the rest follows in chunks of at most
// MaxLe bytes, shrinking Le on 6700 and taking the chip's Le on 6Cxx.
// progress (or Options.Progress when nil) is called after each chunk.
// A chip refusal is a *StatusError (errors.Is ErrAccessDenied for 6982).
func (s *Session) ReadFile(ctx context.Context, fid uint16, progress func(done, total int)) ([]byte, error) {
	if progress == nil {
		progress = s.progress
	}
	step := fmt.Sprintf("EF %04X", fid)
	var out []byte
	err := s.withSession(ctx, func() error {
		if err := s.selectFile(ctx, fid); err != nil {
			return stepErr("SELECT", step, err)
		}
		var err error
		out, err = s.readEF(ctx, step, 0, progress)
		return err
	})
	return out, err
}

// readEF reads the current EF (or the one named by sfi) whole.
func (s *Session) readEF(ctx context.Context, step string, sfi byte, progress func(done, total int)) ([]byte, error) {
	var out []byte
	total := -1
	le := s.maxLe
	for total < 0 || len(out) < total {
		want := le
		if total >= 0 && total-len(out) < want {
			want = total - len(out)
		}
		data, sw, err := s.readBinarySFI(ctx, sfi, len(out), want)
		if err != nil {
			return nil, stepErr("READ BINARY", step, err)
		}
		switch {
		case sw == 0x9000 || sw == 0x6282:
		case sw == 0x6700 && le > 1:
			le /= 2
			s.maxLe = le
			continue
		case sw&0xFF00 == 0x6C00 && sw&0xFF != 0 && int(sw&0xFF) < le:
			le = int(sw & 0xFF)
			continue
		default:
			return nil, stepErr("READ BINARY", step, &StatusError{SW: sw})
		}
		if len(data) == 0 {
			return nil, stepErr("READ BINARY", step, malformed("no data before the end of the file"))
		}
		if len(data) > want {
			return nil, stepErr("READ BINARY", step, malformed("chip sent %d bytes for Le %d", len(data), want))
		}
		out = append(out, data...)
		if total < 0 {
			if total, err = s.fileLength(out); err != nil {
				if len(out) < maxTLVHeader && sw == 0x9000 {
					total = -1 // a tiny Le cut the header: read on
					continue
				}
				return nil, stepErr("READ BINARY", step, err)
			}
			if len(out) > total {
				out = out[:total]
			}
		}
		if progress != nil {
			progress(len(out), total)
		}
	}
	return bytes.Clone(out), nil
}

func (s *Session) fileLength(first []byte) (int, error) {
	total, err := TLVHeaderLen(first)
	if err != nil {
		return 0, err
	}
	if total > maxFileSize {
		return 0, malformed("file of %d bytes exceeds %d", total, maxFileSize)
	}
	return total, nil
}
