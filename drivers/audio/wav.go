package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// ErrFormat is returned for a WAV stream this package does not read: not
// RIFF/WAVE, not PCM, not 16-bit, a chunk that runs past its bounds.
var ErrFormat = errors.New("audio: unsupported WAV")

// MaxSamples bounds a decoded clip: two minutes at 48 kHz. Prompts are a
// few seconds; a longer stream is a fault, not a prompt.
const MaxSamples = 120 * 48000

// Clip is mono 16-bit PCM at Rate samples per second.
type Clip struct {
	Rate    int
	Samples []int16
	// Label names the clip (the prompt key); it travels in the WAV's
	// LIST/INFO INAM chunk.
	Label string
	// Text is what the clip says, in the LIST/INFO ICMT (comment) chunk:
	// only towards the simulator (Device.Play drops it for ALSA), so that
	// tests and a person can read what each WAV of var/sim/audio says.
	Text string
}

// Duration is how long the clip plays, in seconds.
func (c Clip) Duration() float64 {
	if c.Rate <= 0 {
		return 0
	}
	return float64(len(c.Samples)) / float64(c.Rate)
}

// maxComment bounds the ICMT text (the LIST chunk a reader accepts is
// 4 KiB).
const maxComment = 3000

// infoString appends a LIST/INFO sub-chunk id holding s as a zero-ended
// string, cut to max bytes at a UTF-8 boundary.
func infoString(info []byte, id, s string, max int) []byte {
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	z := append([]byte(s), 0)
	info = append(info, id...)
	info = binary.LittleEndian.AppendUint32(info, uint32(len(z)))
	info = append(info, z...)
	if len(z)%2 == 1 {
		info = append(info, 0) // chunks are word aligned (pad byte)
	}
	return info
}

// wavHeader returns a RIFF/WAVE header for n mono 16-bit samples at rate,
// with a LIST/INFO chunk (INAM: label, ICMT: text) when either is set. The
// layout is Microsoft's "Multimedia Programming Interface and Data
// Specifications 1.0" (1991): RIFF('WAVE' fmt(WAVE_FORMAT_PCM=1, channels,
// samples/s, avg bytes/s, block align, bits/sample) [LIST('INFO'
// INAM(zstr) ICMT(zstr))] data(samples)).
func wavHeader(rate, n int, label, text string) []byte {
	var info []byte
	if label != "" || text != "" {
		info = append(info, "INFO"...)
		if label != "" {
			info = infoString(info, "INAM", label, 255)
		}
		if text != "" {
			info = infoString(info, "ICMT", text, maxComment)
		}
	}
	data := 2 * n
	var b bytes.Buffer
	riffSize := 4 + (8 + 16) + (8 + data)
	if info != nil {
		riffSize += 8 + len(info)
	}
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(riffSize))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, []uint32{16})
	binary.Write(&b, binary.LittleEndian, []uint16{1, 1})
	binary.Write(&b, binary.LittleEndian, []uint32{uint32(rate), uint32(rate * 2)})
	binary.Write(&b, binary.LittleEndian, []uint16{2, 16})
	if info != nil {
		b.WriteString("LIST")
		binary.Write(&b, binary.LittleEndian, uint32(len(info)))
		b.Write(info)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	return b.Bytes()
}

// EncodeWAV writes c as a RIFF/WAVE file (mono, 16-bit PCM).
func EncodeWAV(w io.Writer, c Clip) error {
	if c.Rate <= 0 || c.Rate > 192000 {
		return fmt.Errorf("%w: rate %d", ErrFormat, c.Rate)
	}
	if _, err := w.Write(wavHeader(c.Rate, len(c.Samples), c.Label, c.Text)); err != nil {
		return fmt.Errorf("audio: write WAV header: %w", err)
	}
	buf := make([]byte, 2*len(c.Samples))
	for i, s := range c.Samples {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(s))
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("audio: write WAV data: %w", err)
	}
	return nil
}

// WAVReader reads a RIFF/WAVE stream's header and then its samples as they
// arrive, which is how a player consumes a stream it paces (audiosim) and
// how a synthesizer's stdout is read. A streaming writer that does not know
// its length (espeak-ng --stdout into a pipe) writes 0x7ffff000-ish sizes;
// the data chunk then runs to the end of the stream.
type WAVReader struct {
	r        io.Reader
	Rate     int
	Channels int
	Label    string
	Text     string // the LIST/INFO ICMT comment (Clip.Text)
	left     int64  // data bytes left by the header's count
	total    int64  // the header's data size
}

// NewWAVReader reads the header up to the data chunk.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: RIFF header: %v", ErrFormat, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not RIFF/WAVE", ErrFormat)
	}
	w := &WAVReader{r: r}
	sawFmt := false
	for chunks := 0; ; chunks++ {
		if chunks > 16 {
			return nil, fmt.Errorf("%w: no data chunk in the first 16", ErrFormat)
		}
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, fmt.Errorf("%w: chunk header: %v", ErrFormat, err)
		}
		id, size := string(ch[0:4]), int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 64 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrFormat, size)
			}
			f := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, f); err != nil {
				return nil, fmt.Errorf("%w: fmt chunk: %v", ErrFormat, err)
			}
			format := binary.LittleEndian.Uint16(f[0:2])
			w.Channels = int(binary.LittleEndian.Uint16(f[2:4]))
			w.Rate = int(binary.LittleEndian.Uint32(f[4:8]))
			bits := binary.LittleEndian.Uint16(f[14:16])
			if format != 1 || bits != 16 {
				return nil, fmt.Errorf("%w: format %d with %d bits (want PCM, 16 bits)", ErrFormat, format, bits)
			}
			if w.Channels < 1 || w.Channels > 2 || w.Rate < 4000 || w.Rate > 192000 {
				return nil, fmt.Errorf("%w: %d channels at %d Hz", ErrFormat, w.Channels, w.Rate)
			}
			sawFmt = true
		case "LIST":
			if size > 4096 {
				return nil, fmt.Errorf("%w: LIST chunk of %d bytes", ErrFormat, size)
			}
			l := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, l); err != nil {
				return nil, fmt.Errorf("%w: LIST chunk: %v", ErrFormat, err)
			}
			w.Label, w.Text = infoField(l[:size], "INAM"), infoField(l[:size], "ICMT")
		case "data":
			if !sawFmt {
				return nil, fmt.Errorf("%w: data before fmt", ErrFormat)
			}
			w.left, w.total = size, size
			return w, nil
		default:
			if size > 1<<16 {
				return nil, fmt.Errorf("%w: %q chunk of %d bytes", ErrFormat, id, size)
			}
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return nil, fmt.Errorf("%w: %q chunk: %v", ErrFormat, id, err)
			}
		}
	}
}

// infoField returns the sub-chunk id of a LIST/INFO payload.
func infoField(l []byte, want string) string {
	if len(l) < 4 || string(l[:4]) != "INFO" {
		return ""
	}
	l = l[4:]
	for len(l) >= 8 {
		id, size := string(l[:4]), int(binary.LittleEndian.Uint32(l[4:8]))
		l = l[8:]
		if size < 0 || size > len(l) { // negative: a 32-bit int wrapped
			return ""
		}
		if id == want {
			return string(bytes.TrimRight(l[:size], "\x00"))
		}
		l = l[min(size+size%2, len(l)):]
	}
	return ""
}

// Expected is the number of samples the header announces, or -1 when the
// header's data size is a streaming writer's placeholder (≥ 0x7fff0000).
func (w *WAVReader) Expected() int64 {
	if w.total >= 0x7fff0000 {
		return -1
	}
	return w.total / int64(2*w.Channels)
}

// Read reads up to len(p) mono samples (stereo is mixed down). It returns
// io.EOF at the end of the data chunk or of the stream; a stream that ends
// inside a sample drops the half sample.
func (w *WAVReader) Read(p []int16) (int, error) {
	frame := 2 * w.Channels
	if w.left < int64(frame) {
		return 0, io.EOF
	}
	want := min(int64(len(p))*int64(frame), w.left)
	want -= want % int64(frame)
	buf := make([]byte, want)
	n, err := io.ReadAtLeast(w.r, buf, frame)
	if n < frame {
		if err == io.ErrUnexpectedEOF || err == nil {
			err = io.EOF
		}
		return 0, err
	}
	n -= n % frame
	w.left -= int64(n)
	count := n / frame
	for i := 0; i < count; i++ {
		if w.Channels == 1 {
			p[i] = int16(binary.LittleEndian.Uint16(buf[2*i:]))
			continue
		}
		l := int32(int16(binary.LittleEndian.Uint16(buf[4*i:])))
		r := int32(int16(binary.LittleEndian.Uint16(buf[4*i+2:])))
		p[i] = int16((l + r) / 2)
	}
	return count, nil
}

// DecodeWAV reads a whole WAV stream into a mono clip, at most MaxSamples.
func DecodeWAV(r io.Reader) (Clip, error) {
	w, err := NewWAVReader(r)
	if err != nil {
		return Clip{}, err
	}
	c := Clip{Rate: w.Rate, Label: w.Label, Text: w.Text}
	buf := make([]int16, 4096)
	for {
		n, err := w.Read(buf)
		c.Samples = append(c.Samples, buf[:n]...)
		if len(c.Samples) > MaxSamples {
			return Clip{}, fmt.Errorf("%w: longer than %d samples", ErrFormat, MaxSamples)
		}
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return Clip{}, fmt.Errorf("audio: read WAV data: %w", err)
		}
	}
}
