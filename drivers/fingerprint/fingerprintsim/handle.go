package fingerprintsim

import (
	"bufio"
	"encoding/binary"
	"io"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
)

// Confirmation codes the simulator answers (R30x datasheet §5.2).
const (
	okCode        = 0x00
	codeRecvErr   = 0x01
	codeNoFinger  = 0x02
	codeImageFail = 0x03
	codeDisorder  = 0x06
	codeNoMatch   = 0x08
	codeNotFound  = 0x09
	codeCombine   = 0x0A
	codeBadSlot   = 0x0B
	codeReadTmpl  = 0x0C
	codeRecvData  = 0x0E
	codeDelete    = 0x10
	codeWrongPw   = 0x13
	codeNoImage   = 0x15
	codeMustVerfy = 0x21
)

// maxDownload bounds the bytes accepted by DownChar.
const maxDownload = 4096

// handle answers one command packet.
func (s *Sim) handle(w io.Writer, br *bufio.Reader, p fingerprint.Packet) {
	cmd, params := p.Payload[0], p.Payload[1:]
	s.mu.Lock()
	s.received = append(s.received, cmd)
	code, injected := s.inject[cmd]
	delete(s.inject, cmd)
	needPw := s.opts.Password != 0 && !s.verified && cmd != fingerprint.CmdVfyPwd
	s.mu.Unlock()
	switch {
	case injected:
		s.reply(w, p.Addr, []byte{code})
		return
	case needPw:
		s.reply(w, p.Addr, []byte{codeMustVerfy})
		return
	}
	switch cmd {
	case fingerprint.CmdUpChar:
		s.upChar(w, p.Addr, params)
	case fingerprint.CmdDownChar:
		s.downChar(w, br, p.Addr, params)
	default:
		s.reply(w, p.Addr, s.execute(cmd, params))
	}
}

// execute runs an instruction without a data phase and returns the
// acknowledge payload (confirmation code first).
func (s *Sim) execute(cmd byte, params []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch cmd {
	case fingerprint.CmdVfyPwd:
		if len(params) != 4 || binary.BigEndian.Uint32(params) != s.opts.Password {
			return []byte{codeWrongPw}
		}
		s.verified = true
		return []byte{okCode}
	case fingerprint.CmdReadSysPara:
		return s.sysPara()
	case fingerprint.CmdGenImg:
		return []byte{s.genImg()}
	case fingerprint.CmdImg2Tz:
		return []byte{s.img2Tz(params)}
	case fingerprint.CmdRegModel:
		return []byte{s.regModel()}
	case fingerprint.CmdStore:
		return []byte{s.store(params)}
	case fingerprint.CmdLoadChar:
		return []byte{s.loadChar(params)}
	case fingerprint.CmdMatch:
		return s.match()
	case fingerprint.CmdSearch:
		return s.search(params)
	case fingerprint.CmdDeleteChar:
		return []byte{s.deleteChar(params)}
	case fingerprint.CmdEmpty:
		s.lib = map[int][]byte{}
		return []byte{okCode}
	case fingerprint.CmdTemplateNum:
		return binary.BigEndian.AppendUint16([]byte{okCode}, uint16(len(s.lib)))
	}
	return []byte{codeRecvErr}
}

func (s *Sim) sysPara() []byte {
	sizeCode := map[int]uint16{32: 0, 64: 1, 128: 2, 256: 3}[s.opts.PacketSize]
	b := []byte{okCode}
	b = binary.BigEndian.AppendUint16(b, 0x0000) // status register
	b = binary.BigEndian.AppendUint16(b, 0x0000) // system identifier code
	b = binary.BigEndian.AppendUint16(b, uint16(s.opts.Capacity))
	b = binary.BigEndian.AppendUint16(b, uint16(s.opts.SecurityLevel))
	b = binary.BigEndian.AppendUint32(b, s.opts.Address)
	b = binary.BigEndian.AppendUint16(b, sizeCode)
	return binary.BigEndian.AppendUint16(b, uint16(s.opts.Baud/9600))
}

// genImg: a finger present and not lifted gives an image.
func (s *Sim) genImg() byte {
	switch s.fault {
	case FaultNoFinger:
		return codeNoFinger
	case FaultBadImage:
		if s.finger != "" {
			return codeImageFail
		}
	}
	if s.finger == "" {
		return codeNoFinger
	}
	if s.lifted {
		s.lifted = false
		if s.touches == 0 {
			s.finger = ""
		}
		return codeNoFinger
	}
	s.image = s.finger
	return okCode
}

func bufferIndex(params []byte) (int, bool) {
	if len(params) < 1 || params[0] < 1 || params[0] > 2 {
		return 0, false
	}
	return int(params[0]), true
}

func (s *Sim) img2Tz(params []byte) byte {
	n, ok := bufferIndex(params)
	switch {
	case !ok:
		return codeRecvErr
	case s.image == "":
		return codeNoImage
	case s.fault == FaultSmudged:
		return codeDisorder
	}
	s.buf[n] = templateFor(s.image)
	s.image = ""
	if s.touches > 0 {
		s.touches--
		s.lifted = true
	}
	return okCode
}

func (s *Sim) regModel() byte {
	a, oka := fingerOf(s.buf[1])
	b, okb := fingerOf(s.buf[2])
	if !oka || !okb || a != b {
		return codeCombine
	}
	s.buf[2] = append([]byte(nil), s.buf[1]...)
	return okCode
}

// slotParam reads BufferID and PageID.
func (s *Sim) slotParam(params []byte) (buf, slot int, code byte) {
	n, ok := bufferIndex(params)
	if !ok || len(params) != 3 {
		return 0, 0, codeRecvErr
	}
	slot = int(binary.BigEndian.Uint16(params[1:]))
	if slot >= s.opts.Capacity {
		return 0, 0, codeBadSlot
	}
	return n, slot, okCode
}

func (s *Sim) store(params []byte) byte {
	n, slot, code := s.slotParam(params)
	if code != okCode {
		return code
	}
	if s.buf[n] == nil {
		return codeReadTmpl
	}
	s.lib[slot] = append([]byte(nil), s.buf[n]...)
	return okCode
}

func (s *Sim) loadChar(params []byte) byte {
	n, slot, code := s.slotParam(params)
	if code != okCode {
		return code
	}
	t, ok := s.lib[slot]
	if !ok {
		return codeReadTmpl
	}
	s.buf[n] = append([]byte(nil), t...)
	return okCode
}

func (s *Sim) match() []byte {
	sc := score(s.buf[1], s.buf[2])
	code := byte(okCode)
	if sc < matchThreshold {
		code = codeNoMatch
	}
	return binary.BigEndian.AppendUint16([]byte{code}, uint16(sc))
}

func (s *Sim) search(params []byte) []byte {
	n, ok := bufferIndex(params)
	if !ok || len(params) != 5 {
		return []byte{codeRecvErr}
	}
	start, count := int(binary.BigEndian.Uint16(params[1:])), int(binary.BigEndian.Uint16(params[3:]))
	for slot := start; slot < start+count && slot < s.opts.Capacity; slot++ {
		if t, ok := s.lib[slot]; ok {
			if sc := score(s.buf[n], t); sc >= matchThreshold {
				b := binary.BigEndian.AppendUint16([]byte{okCode}, uint16(slot))
				return binary.BigEndian.AppendUint16(b, uint16(sc))
			}
		}
	}
	return []byte{codeNotFound, 0, 0, 0, 0}
}

func (s *Sim) deleteChar(params []byte) byte {
	if len(params) != 4 {
		return codeRecvErr
	}
	slot, count := int(binary.BigEndian.Uint16(params)), int(binary.BigEndian.Uint16(params[2:]))
	if slot+count > s.opts.Capacity || count == 0 {
		return codeDelete
	}
	for i := slot; i < slot+count; i++ {
		delete(s.lib, i)
	}
	return okCode
}

// upChar: acknowledge, then the buffer in data packets, the last one PID 08.
func (s *Sim) upChar(w io.Writer, addr uint32, params []byte) {
	s.mu.Lock()
	n, ok := bufferIndex(params)
	var t []byte
	if ok {
		t = append([]byte(nil), s.buf[n]...)
	}
	s.mu.Unlock()
	if !ok || t == nil {
		s.reply(w, addr, []byte{0x0D})
		return
	}
	s.reply(w, addr, []byte{okCode})
	for off := 0; off < len(t); off += s.opts.PacketSize {
		end := min(off+s.opts.PacketSize, len(t))
		pid := byte(fingerprint.PIDData)
		if end == len(t) {
			pid = fingerprint.PIDEnd
		}
		s.replyPID(w, addr, pid, t[off:end])
	}
}

// downChar: acknowledge, then read data packets until PID 08.
func (s *Sim) downChar(w io.Writer, br *bufio.Reader, addr uint32, params []byte) {
	n, ok := bufferIndex(params)
	if !ok {
		s.reply(w, addr, []byte{codeRecvData})
		return
	}
	s.reply(w, addr, []byte{okCode})
	var t []byte
	for {
		p, err := fingerprint.ReadPacket(func(b []byte) error { _, err := io.ReadFull(br, b); return err })
		if err != nil || (p.PID != fingerprint.PIDData && p.PID != fingerprint.PIDEnd) || len(t)+len(p.Payload) > maxDownload {
			return // the real module drops the transfer silently
		}
		t = append(t, p.Payload...)
		if p.PID == fingerprint.PIDEnd {
			break
		}
	}
	s.mu.Lock()
	s.buf[n] = t
	s.mu.Unlock()
}
