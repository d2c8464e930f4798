package fingerprint

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
)

// CharBuffer numbers (Img2Tz, Store, LoadChar, UpChar, DownChar, Search).
const (
	Buffer1 = 1
	Buffer2 = 2
)

// maxTemplate bounds an uploaded template (a ZFM template is 512 bytes;
// some modules send 768 or 1536 for a model).
const maxTemplate = 4096

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

func checkSlot(slot int) error {
	if slot < 0 || slot > 0xFFFF {
		return fmt.Errorf("%w: %d", ErrBadSlot, slot)
	}
	return nil
}

// VerifyPassword sends VfyPwd (0x13) with the configured password.
func (d *Dev) VerifyPassword(ctx context.Context) error {
	_, err := d.command(ctx, CmdVfyPwd, binary.BigEndian.AppendUint32(nil, d.opts.Password))
	return err
}

// ReadSysPara reads the system parameters (0x0F).
func (d *Dev) ReadSysPara(ctx context.Context) (SysPara, error) {
	r, err := d.command(ctx, CmdReadSysPara, nil)
	if err != nil {
		return SysPara{}, err
	}
	p, err := parseSysPara(r)
	if err == nil {
		d.mu.Lock()
		d.para = p
		d.mu.Unlock()
	}
	return p, err
}

// GenImg captures a finger image (0x01); ErrNoFinger when none is there.
func (d *Dev) GenImg(ctx context.Context) error {
	_, err := d.command(ctx, CmdGenImg, nil)
	return err
}

// Img2Tz turns the image into a character file in buffer (0x02).
func (d *Dev) Img2Tz(ctx context.Context, buffer int) error {
	_, err := d.command(ctx, CmdImg2Tz, []byte{byte(buffer)})
	return err
}

// RegModel combines buffers 1 and 2 into a template (0x05).
func (d *Dev) RegModel(ctx context.Context) error {
	_, err := d.command(ctx, CmdRegModel, nil)
	return err
}

// Store writes buffer to library slot (0x06).
func (d *Dev) Store(ctx context.Context, buffer, slot int) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	_, err := d.command(ctx, CmdStore, append([]byte{byte(buffer)}, u16(slot)...))
	return err
}

// LoadChar reads library slot into buffer (0x07).
func (d *Dev) LoadChar(ctx context.Context, buffer, slot int) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	_, err := d.command(ctx, CmdLoadChar, append([]byte{byte(buffer)}, u16(slot)...))
	return err
}

// Match compares buffers 1 and 2 (0x03) and returns the score;
// ErrNoMatch when the module says they differ.
func (d *Dev) Match(ctx context.Context) (score int, err error) {
	r, err := d.command(ctx, CmdMatch, nil)
	if err != nil {
		return 0, err
	}
	if len(r) < 2 {
		return 0, fmt.Errorf("fingerprint: Match: %w: %d bytes", ErrFrame, len(r))
	}
	return int(binary.BigEndian.Uint16(r)), nil
}

// Search looks buffer up in count slots from start (0x04) and returns the
// matching slot and score; ErrNotFound when none matches.
func (d *Dev) Search(ctx context.Context, buffer, start, count int) (slot, score int, err error) {
	if err := checkSlot(start); err != nil {
		return 0, 0, err
	}
	if err := checkSlot(count); err != nil {
		return 0, 0, err
	}
	r, err := d.command(ctx, CmdSearch, append(append([]byte{byte(buffer)}, u16(start)...), u16(count)...))
	if err != nil {
		return 0, 0, err
	}
	if len(r) < 4 {
		return 0, 0, fmt.Errorf("fingerprint: Search: %w: %d bytes", ErrFrame, len(r))
	}
	return int(binary.BigEndian.Uint16(r)), int(binary.BigEndian.Uint16(r[2:])), nil
}

// DeleteChar deletes count templates from slot (0x0C).
func (d *Dev) DeleteChar(ctx context.Context, slot, count int) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	_, err := d.command(ctx, CmdDeleteChar, append(u16(slot), u16(count)...))
	return err
}

// Empty deletes every template (0x0D).
func (d *Dev) Empty(ctx context.Context) error {
	_, err := d.command(ctx, CmdEmpty, nil)
	return err
}

// TemplateNum returns the number of stored templates (0x1D).
func (d *Dev) TemplateNum(ctx context.Context) (int, error) {
	r, err := d.command(ctx, CmdTemplateNum, nil)
	if err != nil {
		return 0, err
	}
	if len(r) < 2 {
		return 0, fmt.Errorf("fingerprint: TemplateNum: %w: %d bytes", ErrFrame, len(r))
	}
	return int(binary.BigEndian.Uint16(r)), nil
}

// UpChar uploads buffer's template to the host (0x08): an acknowledge,
// then data packets ending with an end-of-data packet. For technicians
// and tests only: the holder flows never take a template off the module.
func (d *Dev) UpChar(ctx context.Context, buffer int) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.reinitLocked(ctx); err != nil {
		return nil, err
	}
	if _, err := d.commandLocked(ctx, CmdUpChar, []byte{byte(buffer)}); err != nil {
		return nil, err
	}
	var tmpl bytes.Buffer
	for {
		p, err := d.receive(ctx)
		if err != nil {
			d.dirty = true
			return nil, fmt.Errorf("fingerprint: UpChar: data: %w", err)
		}
		if p.PID != PIDData && p.PID != PIDEnd {
			d.dirty = true
			return nil, fmt.Errorf("fingerprint: UpChar: %w: PID 0x%02X in data phase", ErrFrame, p.PID)
		}
		if tmpl.Len()+len(p.Payload) > maxTemplate {
			d.dirty = true
			return nil, fmt.Errorf("fingerprint: UpChar: %w: template over %d bytes", ErrFrame, maxTemplate)
		}
		tmpl.Write(p.Payload)
		if p.PID == PIDEnd {
			return tmpl.Bytes(), nil
		}
	}
}

// DownChar downloads a template into buffer (0x09), in data packets of the
// module's packet size.
func (d *Dev) DownChar(ctx context.Context, buffer int, tmpl []byte) error {
	if len(tmpl) == 0 || len(tmpl) > maxTemplate {
		return fmt.Errorf("fingerprint: DownChar: template of %d bytes", len(tmpl))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.reinitLocked(ctx); err != nil {
		return err
	}
	if _, err := d.commandLocked(ctx, CmdDownChar, []byte{byte(buffer)}); err != nil {
		return err
	}
	size := d.para.PacketSize
	if size <= 0 {
		size = 128
	}
	for off := 0; off < len(tmpl); off += size {
		end := min(off+size, len(tmpl))
		pid := byte(PIDData)
		if end == len(tmpl) {
			pid = PIDEnd
		}
		if err := d.send(ctx, pid, tmpl[off:end]); err != nil {
			d.dirty = true
			return fmt.Errorf("fingerprint: DownChar: data: %w", err)
		}
	}
	return nil
}
