// Package sm holds the symmetric cryptography of ICAO Doc 9303-11 shared by
// the terminal (drivers/emrtd) and the virtual chip (emrtdsim): the key
// derivation function (§9.7.1), 3DES and AES ciphers, ISO/IEC 9797-1 MAC
// algorithm 3 ("retail MAC") and AES-CMAC, padding method 2, and secure
// messaging (§9.8) for both directions of the exchange.
//
// It imports only the standard library.
package sm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Alg is the block cipher of a secure messaging session.
type Alg int

// Ciphers (9303-11 §9.8.2, §9.8.3).
const (
	TDES Alg = iota + 1 // 2-key 3DES CBC, retail MAC, 8-byte SSC
	AES                 // AES CBC, CMAC, 16-byte SSC
)

// String implements fmt.Stringer.
func (a Alg) String() string {
	switch a {
	case TDES:
		return "3DES"
	case AES:
		return "AES"
	}
	return "unknown"
}

// BlockSize is the cipher block (and SSC) size in bytes.
func (a Alg) BlockSize() int {
	if a == AES {
		return 16
	}
	return 8
}

// KDF counters (9303-11 §9.7.1).
const (
	CounterEnc = 1
	CounterMac = 2
	CounterPI  = 3 // PACE password key K_π
)

// Errors.
var (
	ErrMAC      = errors.New("sm: MAC verification failed")
	ErrFormat   = errors.New("sm: malformed secure messaging data")
	ErrPadding  = errors.New("sm: bad padding")
	ErrKeySize  = errors.New("sm: unsupported key size")
	ErrNoSSCMAC = errors.New("sm: response has no MAC")
)

// KDF derives a key of keyLen bytes (16 for 3DES and AES-128, 24, 32) from
// the shared secret and counter, 9303-11 §9.7.1: SHA-1 for 3DES and
// AES-128, SHA-256 for AES-192/256. 3DES keys get DES parity adjusted.
func KDF(secret []byte, counter uint32, alg Alg, keyLen int) ([]byte, error) {
	in := make([]byte, 0, len(secret)+4)
	in = append(in, secret...)
	in = binary.BigEndian.AppendUint32(in, counter)
	switch {
	case alg == TDES && keyLen == 16:
		h := sha1.Sum(in)
		k := append([]byte(nil), h[:16]...)
		AdjustParity(k)
		return k, nil
	case alg == AES && keyLen == 16:
		h := sha1.Sum(in)
		return append([]byte(nil), h[:16]...), nil
	case alg == AES && (keyLen == 24 || keyLen == 32):
		h := sha256.Sum256(in)
		return append([]byte(nil), h[:keyLen]...), nil
	}
	return nil, fmt.Errorf("%w: %v/%d", ErrKeySize, alg, keyLen)
}

// AdjustParity sets the DES odd parity bit of every byte.
func AdjustParity(k []byte) {
	for i, b := range k {
		b &^= 1
		ones := 0
		for v := b; v != 0; v >>= 1 {
			ones += int(v & 1)
		}
		if ones%2 == 0 {
			b |= 1
		}
		k[i] = b
	}
}

// Pad applies ISO/IEC 9797-1 padding method 2 to a multiple of bs.
func Pad(b []byte, bs int) []byte {
	out := make([]byte, len(b), len(b)+bs)
	copy(out, b)
	out = append(out, 0x80)
	for len(out)%bs != 0 {
		out = append(out, 0)
	}
	return out
}

// Unpad removes padding method 2.
func Unpad(b []byte) ([]byte, error) {
	i := len(b) - 1
	for i >= 0 && b[i] == 0 {
		i--
	}
	if i < 0 || b[i] != 0x80 {
		return nil, ErrPadding
	}
	return b[:i], nil
}

func tdesBlock(key []byte) (cipher.Block, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("%w: 3DES key of %d bytes", ErrKeySize, len(key))
	}
	k := make([]byte, 24)
	copy(k, key)
	copy(k[16:], key[:8])
	return des.NewTripleDESCipher(k)
}

// Block returns the block cipher for key under alg.
func Block(alg Alg, key []byte) (cipher.Block, error) {
	if alg == TDES {
		return tdesBlock(key)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySize, err)
	}
	return b, nil
}

// EncryptCBC encrypts b (a multiple of the block size) in CBC mode with iv
// (zero when nil).
func EncryptCBC(alg Alg, key, iv, b []byte) ([]byte, error) {
	blk, err := Block(alg, key)
	if err != nil {
		return nil, err
	}
	if len(b)%blk.BlockSize() != 0 {
		return nil, ErrFormat
	}
	if iv == nil {
		iv = make([]byte, blk.BlockSize())
	}
	out := make([]byte, len(b))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, b)
	return out, nil
}

// DecryptCBC decrypts b in CBC mode with iv (zero when nil).
func DecryptCBC(alg Alg, key, iv, b []byte) ([]byte, error) {
	blk, err := Block(alg, key)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 || len(b)%blk.BlockSize() != 0 {
		return nil, ErrFormat
	}
	if iv == nil {
		iv = make([]byte, blk.BlockSize())
	}
	out := make([]byte, len(b))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, b)
	return out, nil
}

// RetailMAC is ISO/IEC 9797-1 MAC algorithm 3 with DES over data already
// padded to 8 bytes; key is the 16-byte 2-key 3DES key.
func RetailMAC(key, padded []byte) ([]byte, error) {
	if len(key) != 16 || len(padded)%8 != 0 {
		return nil, ErrFormat
	}
	k1, err := des.NewCipher(key[:8])
	if err != nil {
		return nil, err
	}
	k2, err := des.NewCipher(key[8:16])
	if err != nil {
		return nil, err
	}
	h := make([]byte, 8)
	for i := 0; i < len(padded); i += 8 {
		subtle.XORBytes(h, h, padded[i:i+8])
		k1.Encrypt(h, h)
	}
	k2.Decrypt(h, h)
	k1.Encrypt(h, h)
	return h, nil
}

// CMAC is AES-CMAC (NIST SP 800-38B) over msg.
func CMAC(key, msg []byte) ([]byte, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySize, err)
	}
	l := make([]byte, 16)
	blk.Encrypt(l, l)
	k1 := dbl(l)
	k2 := dbl(k1)
	n := (len(msg) + 15) / 16
	last := make([]byte, 16)
	if n == 0 || len(msg)%16 != 0 {
		if n == 0 {
			n = 1
		}
		rest := msg[(n-1)*16:]
		copy(last, rest)
		last[len(rest)] = 0x80
		subtle.XORBytes(last, last, k2)
	} else {
		copy(last, msg[(n-1)*16:])
		subtle.XORBytes(last, last, k1)
	}
	x := make([]byte, 16)
	for i := 0; i < n-1; i++ {
		subtle.XORBytes(x, x, msg[i*16:i*16+16])
		blk.Encrypt(x, x)
	}
	subtle.XORBytes(x, x, last)
	blk.Encrypt(x, x)
	return x, nil
}

func dbl(b []byte) []byte {
	out := make([]byte, 16)
	var carry byte
	for i := 15; i >= 0; i-- {
		out[i] = b[i]<<1 | carry
		carry = b[i] >> 7
	}
	if carry != 0 {
		out[15] ^= 0x87
	}
	return out
}

// MAC computes the 8-byte secure messaging MAC of data (padded here):
// retail MAC for 3DES, CMAC truncated to 8 bytes for AES (9303-11 §9.8.6).
func MAC(alg Alg, key, data []byte) ([]byte, error) {
	padded := Pad(data, alg.BlockSize())
	if alg == TDES {
		return RetailMAC(key, padded)
	}
	m, err := CMAC(key, padded)
	if err != nil {
		return nil, err
	}
	return m[:8], nil
}

// Keys is one secure messaging session: the cipher, KSenc, KSmac and the
// send sequence counter. Both sides increment SSC before protecting or
// verifying each message (9303-11 §9.8.6).
type Keys struct {
	Alg Alg
	Enc []byte
	Mac []byte
	SSC []byte
}

// NewKeys starts a session with the SSC given (nil means zero, as after
// PACE and Chip Authentication).
func NewKeys(alg Alg, enc, mac, ssc []byte) (*Keys, error) {
	if ssc == nil {
		ssc = make([]byte, alg.BlockSize())
	}
	if len(ssc) != alg.BlockSize() {
		return nil, fmt.Errorf("%w: SSC of %d bytes", ErrKeySize, len(ssc))
	}
	if _, err := Block(alg, enc); err != nil {
		return nil, err
	}
	if alg == TDES && len(mac) != 16 {
		return nil, fmt.Errorf("%w: 3DES MAC key", ErrKeySize)
	}
	if alg == AES {
		if _, err := aes.NewCipher(mac); err != nil {
			return nil, fmt.Errorf("%w: AES MAC key", ErrKeySize)
		}
	}
	return &Keys{Alg: alg, Enc: bytes.Clone(enc), Mac: bytes.Clone(mac), SSC: bytes.Clone(ssc)}, nil
}

// IncSSC increments the send sequence counter (big-endian, wrapping).
func (k *Keys) IncSSC() {
	for i := len(k.SSC) - 1; i >= 0; i-- {
		k.SSC[i]++
		if k.SSC[i] != 0 {
			return
		}
	}
}

// iv is the CBC IV for the current SSC: zero for 3DES, E(KSenc, SSC) for
// AES (9303-11 §9.8.6.1).
func (k *Keys) iv() ([]byte, error) {
	if k.Alg == TDES {
		return make([]byte, 8), nil
	}
	blk, err := aes.NewCipher(k.Enc)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, 16)
	blk.Encrypt(iv, k.SSC)
	return iv, nil
}

func (k *Keys) encrypt(plain []byte) ([]byte, error) {
	iv, err := k.iv()
	if err != nil {
		return nil, err
	}
	return EncryptCBC(k.Alg, k.Enc, iv, Pad(plain, k.Alg.BlockSize()))
}

func (k *Keys) decrypt(ct []byte) ([]byte, error) {
	iv, err := k.iv()
	if err != nil {
		return nil, err
	}
	p, err := DecryptCBC(k.Alg, k.Enc, iv, ct)
	if err != nil {
		return nil, err
	}
	return Unpad(p)
}

func (k *Keys) mac(data []byte) ([]byte, error) {
	in := make([]byte, 0, len(k.SSC)+len(data))
	in = append(in, k.SSC...)
	in = append(in, data...)
	return MAC(k.Alg, k.Mac, in)
}

func (k *Keys) checkMAC(data, got []byte) error {
	want, err := k.mac(data)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, got) != 1 {
		return ErrMAC
	}
	return nil
}

// tlv encodes a DO with a DER length.
func tlv(tag byte, v []byte) []byte {
	out := []byte{tag}
	out = appendLen(out, len(v))
	return append(out, v...)
}

func appendLen(out []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(out, byte(n))
	case n < 0x100:
		return append(out, 0x81, byte(n))
	default:
		return append(out, 0x82, byte(n>>8), byte(n))
	}
}

// readDO reads one simple-TLV data object with a one-byte tag.
func readDO(b []byte) (tag byte, val, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, ErrFormat
	}
	tag = b[0]
	n := int(b[1])
	off := 2
	switch b[1] {
	case 0x81:
		if len(b) < 3 {
			return 0, nil, nil, ErrFormat
		}
		n, off = int(b[2]), 3
	case 0x82:
		if len(b) < 4 {
			return 0, nil, nil, ErrFormat
		}
		n, off = int(b[2])<<8|int(b[3]), 4
	default:
		if b[1] >= 0x80 {
			return 0, nil, nil, ErrFormat
		}
	}
	if len(b)-off < n {
		return 0, nil, nil, ErrFormat
	}
	return tag, b[off : off+n], b[off+n:], nil
}

// Command is a plain command APDU as the terminal means it.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	// Ne is the expected response length: 0 means none expected; 256 (or
	// 65536 extended) means "as many as available".
	Ne int
}

// Extended reports whether the command needs extended length fields.
func (c Command) Extended() bool { return len(c.Data) > 255 || c.Ne > 256 }

// Encode serialises the command (ISO/IEC 7816-4 §5.1, cases 1–4, short or
// extended length).
func (c Command) Encode() []byte {
	out := []byte{c.CLA, c.INS, c.P1, c.P2}
	ext := c.Extended()
	if len(c.Data) > 0 {
		if ext {
			out = append(out, 0, byte(len(c.Data)>>8), byte(len(c.Data)))
		} else {
			out = append(out, byte(len(c.Data)))
		}
		out = append(out, c.Data...)
	}
	if c.Ne > 0 {
		switch {
		case ext && len(c.Data) == 0:
			out = append(out, 0, byte(c.Ne>>8), byte(c.Ne))
		case ext:
			out = append(out, byte(c.Ne>>8), byte(c.Ne))
		default:
			out = append(out, byte(c.Ne))
		}
	}
	return out
}

// DecodeCommand parses a command APDU (short or extended).
func DecodeCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, ErrFormat
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0:
	case len(body) == 1:
		c.Ne = int(body[0])
		if c.Ne == 0 {
			c.Ne = 256
		}
	case body[0] != 0 || len(body) == 1+int(body[0]) || len(body) == 2+int(body[0]):
		n := int(body[0])
		if n == 0 || len(body) < 1+n {
			return Command{}, ErrFormat
		}
		c.Data = body[1 : 1+n]
		switch len(body) - 1 - n {
		case 0:
		case 1:
			c.Ne = int(body[1+n])
			if c.Ne == 0 {
				c.Ne = 256
			}
		default:
			return Command{}, ErrFormat
		}
	default: // extended: body[0] == 0
		if len(body) == 3 {
			c.Ne = int(body[1])<<8 | int(body[2])
			if c.Ne == 0 {
				c.Ne = 65536
			}
			return c, nil
		}
		if len(body) < 3 {
			return Command{}, ErrFormat
		}
		n := int(body[1])<<8 | int(body[2])
		if n == 0 || len(body) < 3+n {
			return Command{}, ErrFormat
		}
		c.Data = body[3 : 3+n]
		switch len(body) - 3 - n {
		case 0:
		case 2:
			c.Ne = int(body[3+n])<<8 | int(body[4+n])
			if c.Ne == 0 {
				c.Ne = 65536
			}
		default:
			return Command{}, ErrFormat
		}
	}
	return c, nil
}

// leBytes encodes Ne for DO'97'.
func leBytes(ne int, ext bool) []byte {
	if ext {
		return []byte{byte(ne >> 8), byte(ne)}
	}
	return []byte{byte(ne)}
}

// Wrap protects a command (terminal side, 9303-11 §9.8.6.1): DO'87' (or
// DO'85' for odd INS) with the encrypted data, DO'97' with Le, DO'8E' with
// the MAC over SSC ‖ padded header ‖ DOs. It increments the SSC first.
func (k *Keys) Wrap(c Command) ([]byte, error) {
	k.IncSSC()
	hdr := Pad([]byte{c.CLA | 0x0C, c.INS, c.P1, c.P2}, k.Alg.BlockSize())
	var dos []byte
	if len(c.Data) > 0 {
		ct, err := k.encrypt(c.Data)
		if err != nil {
			return nil, err
		}
		if c.INS&1 == 1 {
			dos = append(dos, tlv(0x85, ct)...)
		} else {
			dos = append(dos, tlv(0x87, append([]byte{0x01}, ct...))...)
		}
	}
	if c.Ne > 0 {
		dos = append(dos, tlv(0x97, leBytes(c.Ne, c.Extended()))...)
	}
	m, err := k.mac(append(hdr, dos...))
	if err != nil {
		return nil, err
	}
	dos = append(dos, tlv(0x8E, m)...)
	ne := 256
	if len(dos) > 255 || c.Ne > 256 {
		ne = 65536
	}
	return Command{CLA: c.CLA | 0x0C, INS: c.INS, P1: c.P1, P2: c.P2, Data: dos, Ne: ne}.Encode(), nil
}

// Unwrap verifies and decrypts a protected response body (without the
// trailing SW, which is passed as sw). It increments the SSC first. A
// response without DO'8E' (a plain status inside a secure session, which
// ICAO 9303-11 §9.8.5 reserves for SM errors) returns ErrNoSSCMAC with the
// SSC incremented; whether the chip counted it too is the caller's guess.
func (k *Keys) Unwrap(body []byte, sw uint16) (data []byte, innerSW uint16, err error) {
	k.IncSSC()
	if len(body) == 0 {
		return nil, sw, ErrNoSSCMAC
	}
	var macked, ct, do99, mac []byte
	rest := body
	for len(rest) > 0 {
		start := rest
		tag, val, r, err := readDO(rest)
		if err != nil {
			return nil, 0, err
		}
		rest = r
		switch tag {
		case 0x87:
			if len(val) < 1 || val[0] != 0x01 {
				return nil, 0, ErrFormat
			}
			ct = val[1:]
		case 0x85:
			ct = val
		case 0x99:
			if len(val) != 2 {
				return nil, 0, ErrFormat
			}
			do99 = val
		case 0x8E:
			mac = val
			if len(rest) != 0 {
				return nil, 0, ErrFormat
			}
			macked = body[:len(body)-len(start)]
			continue
		default:
			return nil, 0, ErrFormat
		}
	}
	if mac == nil {
		return nil, 0, ErrNoSSCMAC
	}
	if err := k.checkMAC(macked, mac); err != nil {
		return nil, 0, err
	}
	if do99 == nil {
		return nil, 0, ErrFormat
	}
	innerSW = uint16(do99[0])<<8 | uint16(do99[1])
	if ct != nil {
		// DO'85' (odd INS) carries padded data without the indicator byte.
		if data, err = k.decrypt(ct); err != nil {
			return nil, 0, err
		}
	}
	return data, innerSW, nil
}

// UnwrapCommand verifies and decrypts a protected command (card side). It
// increments the SSC first. The returned command has CLA without the SM
// bits and Ne from DO'97'.
func (k *Keys) UnwrapCommand(raw []byte) (Command, error) {
	k.IncSSC()
	c, err := DecodeCommand(raw)
	if err != nil {
		return Command{}, err
	}
	if c.CLA&0x0C != 0x0C {
		return Command{}, ErrFormat
	}
	hdr := Pad([]byte{c.CLA, c.INS, c.P1, c.P2}, k.Alg.BlockSize())
	out := Command{CLA: c.CLA &^ 0x0C, INS: c.INS, P1: c.P1, P2: c.P2}
	var macked, ct, mac []byte
	rest := c.Data
	for len(rest) > 0 {
		start := rest
		tag, val, r, err := readDO(rest)
		if err != nil {
			return Command{}, err
		}
		rest = r
		switch tag {
		case 0x87:
			if len(val) < 1 || val[0] != 0x01 {
				return Command{}, ErrFormat
			}
			ct = val[1:]
		case 0x85:
			ct = val
		case 0x97:
			switch len(val) {
			case 0:
			case 1:
				out.Ne = int(val[0])
				if out.Ne == 0 {
					out.Ne = 256
				}
			case 2:
				out.Ne = int(val[0])<<8 | int(val[1])
				if out.Ne == 0 {
					out.Ne = 65536
				}
			default:
				return Command{}, ErrFormat
			}
		case 0x8E:
			mac = val
			if len(rest) != 0 {
				return Command{}, ErrFormat
			}
			macked = c.Data[:len(c.Data)-len(start)]
		default:
			return Command{}, ErrFormat
		}
	}
	if mac == nil {
		return Command{}, ErrNoSSCMAC
	}
	if err := k.checkMAC(append(hdr, macked...), mac); err != nil {
		return Command{}, err
	}
	if ct != nil {
		if out.Data, err = k.decrypt(ct); err != nil {
			return Command{}, err
		}
	}
	return out, nil
}

// WrapResponse protects a response (card side): DO'87' (DO'85' when odd)
// with the encrypted data, DO'99' with the status, DO'8E' with the MAC,
// then the status word. It increments the SSC first.
func (k *Keys) WrapResponse(data []byte, sw uint16, odd bool) ([]byte, error) {
	k.IncSSC()
	var dos []byte
	if len(data) > 0 {
		ct, err := k.encrypt(data)
		if err != nil {
			return nil, err
		}
		if odd {
			dos = append(dos, tlv(0x85, ct)...)
		} else {
			dos = append(dos, tlv(0x87, append([]byte{0x01}, ct...))...)
		}
	}
	dos = append(dos, tlv(0x99, []byte{byte(sw >> 8), byte(sw)})...)
	m, err := k.mac(dos)
	if err != nil {
		return nil, err
	}
	dos = append(dos, tlv(0x8E, m)...)
	return append(dos, byte(sw>>8), byte(sw)), nil
}

// TokenMAC is the MAC of a PACE authentication token (9303-11 §4.4.3.4):
// AES-CMAC over the unpadded input truncated to 8 bytes, or the retail MAC
// over the input with padding method 2 for 3DES.
func TokenMAC(alg Alg, key, data []byte) ([]byte, error) {
	if alg == TDES {
		return RetailMAC(key, Pad(data, 8))
	}
	m, err := CMAC(key, data)
	if err != nil {
		return nil, err
	}
	return m[:8], nil
}
