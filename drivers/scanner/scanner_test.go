package scanner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

var quiet = slog.New(slog.DiscardHandler)

// A CCCD-style QR payload (fields separated by |), made up.
const cccdQR = "001099012345|012345678|Nguyễn Văn A|01011990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|01012021"

func start(t *testing.T, simOpts *scannersim.Options, opts *Opts) (*scannersim.Sim, *Scanner) {
	t.Helper()
	srv, err := scannersim.Start(context.Background(), simOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if opts == nil {
		opts = &Opts{}
	}
	opts.Logger = quiet
	port, err := serialport.Open(serialport.Config{Path: srv.Path(), Baud: 9600, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sc := New(port, opts)
	t.Cleanup(func() { sc.Close() })
	return srv, sc
}

// result is one Next outcome: a scan text or an error.
type result struct {
	text string
	err  error
}

func collect(t *testing.T, sc *Scanner, n int) []result {
	t.Helper()
	var out []result
	for range n {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := sc.Next(ctx)
		cancel()
		if errors.Is(err, serialport.ErrTimeout) {
			t.Fatalf("timed out after %d results: %+v", len(out), out)
		}
		out = append(out, result{s.Text, err})
	}
	return out
}

func TestScanner(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name   string
		sim    scannersim.Options
		opts   Opts
		writes []string
		want   []result
	}{
		{"CRLF, Vietnamese UTF-8", scannersim.Options{}, Opts{}, []string{cccdQR + "\r\n"},
			[]result{{cccdQR, nil}}},
		{"CR and LF alone", scannersim.Options{Suffix: "\r"}, Opts{RepeatWindow: -1},
			[]string{"one\r", "two\n", "three\r\n"}, []result{{"one", nil}, {"two", nil}, {"three", nil}}},
		{"configured suffix (TAB)", scannersim.Options{Suffix: "\t"}, Opts{Suffix: []byte("\t")},
			[]string{"a\r\nb\t", "c\t"}, []result{{"a\r\nb", nil}, {"c", nil}}},
		{"multi-byte suffix split across writes", scannersim.Options{Chunk: 1, ChunkDelay: time.Millisecond},
			Opts{Suffix: []byte("#END#")}, []string{"ab#EN", "D#cd#END#"}, []result{{"ab", nil}, {"cd", nil}}},
		{"partial writes", scannersim.Options{Chunk: 3, ChunkDelay: 2 * time.Millisecond}, Opts{},
			[]string{cccdQR + "\r\n"}, []result{{cccdQR, nil}}},
		{"invalid UTF-8 then a good scan", scannersim.Options{}, Opts{},
			[]string{"\xff\xfe\x00garbage\r\n", "ok\r\n"}, []result{{"", ErrInvalidUTF8}, {"ok", nil}}},
		{"too long then a good scan", scannersim.Options{Chunk: 16}, Opts{MaxLen: 50},
			[]string{long + "\r\n", "short\r\n"}, []result{{"", ErrTooLong}, {"short", nil}}},
		{"repeat suppressed within the window", scannersim.Options{}, Opts{},
			[]string{"A\r\n", "A\r\n", "A\r\n", "B\r\n", "A\r\n"}, []result{{"A", nil}, {"B", nil}, {"A", nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, sc := start(t, &tc.sim, &tc.opts)
			for _, w := range tc.writes {
				if err := srv.WriteRaw([]byte(w)); err != nil {
					t.Fatal(err)
				}
			}
			got := collect(t, sc, len(tc.want))
			for i, w := range tc.want {
				if got[i].text != w.text || !errors.Is(got[i].err, w.err) {
					t.Errorf("result %d: %q %v, want %q %v", i, got[i].text, got[i].err, w.text, w.err)
				}
			}
		})
	}
}

// TestRepeatWindow uses a fake clock: the same code after the window is a
// new scan; while it keeps arriving inside the window it stays suppressed.
func TestRepeatWindow(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	srv, sc := start(t, nil, &Opts{RepeatWindow: time.Second, Now: func() time.Time { return now }})
	steps := []struct {
		advance time.Duration
		text    string
		want    bool
	}{
		{0, "X", true},
		{500 * time.Millisecond, "X", false},
		{900 * time.Millisecond, "X", false}, // window slides
		{1100 * time.Millisecond, "X", true},
		{0, "Y", true},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if err := srv.Scan(st.text); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		got, err := sc.Next(ctx)
		cancel()
		if st.want && (err != nil || got.Text != st.text) {
			t.Errorf("step %d: got %q %v, want %q", i, got.Text, err, st.text)
		}
		if !st.want && !errors.Is(err, serialport.ErrTimeout) {
			t.Errorf("step %d: got %q %v, want it suppressed", i, got.Text, err)
		}
	}
}

// TestUnplugReplug pulls the scanner mid-scan: the partial line is dropped,
// Next keeps waiting, and the first scan after replug arrives.
func TestUnplugReplug(t *testing.T) {
	link := filepath.Join(t.TempDir(), "kiosk-qr")
	srv, sc := start(t, &scannersim.Options{Link: link}, nil)
	if err := srv.Scan("before"); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, sc, 1); got[0].text != "before" {
		t.Fatalf("got %+v", got)
	}
	if err := srv.WriteRaw([]byte("half a sc")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if err := srv.Unplug(); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		if err := srv.Replug(); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(300 * time.Millisecond) // the host reopens with backoff
		_ = srv.Scan("after")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := sc.Next(ctx)
	if err != nil || s.Text != "after" {
		t.Fatalf("after replug: %q %v", s.Text, err)
	}
}

func TestNextDeadline(t *testing.T) {
	_, sc := start(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := sc.Next(ctx); !errors.Is(err, serialport.ErrTimeout) {
		t.Errorf("got %v, want serialport.ErrTimeout", err)
	}
}

// FuzzFrame feeds arbitrary bytes to the line framer: every scan it yields
// is valid UTF-8, within MaxLen and free of line ends; it never panics.
func FuzzFrame(f *testing.F) {
	f.Add([]byte(cccdQR+"\r\n"), false)
	f.Add([]byte("a\rb\nc\r\n\xff\r\n"), false)
	f.Add([]byte("x#END#y#EN"), true)
	f.Fuzz(func(t *testing.T, data []byte, suffix bool) {
		o := Opts{MaxLen: 64, RepeatWindow: -1, Logger: quiet}
		if suffix {
			o.Suffix = []byte("#END#")
		}
		s := New(nil, &o)
		for len(data) > 0 {
			n := min(len(data), 7) // arrives in pieces
			s.buf = append(s.buf, data[:n]...)
			data = data[n:]
			for {
				sc, ok, err := s.frame()
				if !ok && err == nil {
					break
				}
				if ok && (len(sc.Text) > o.MaxLen || !utf8.ValidString(sc.Text) ||
					!suffix && strings.ContainsAny(sc.Text, "\r\n")) {
					t.Fatalf("bad scan %q", sc.Text)
				}
			}
		}
	})
}

func TestParseSuffix(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false}, {"any", "", false}, {"cr", "\r", false},
		{"lf", "\n", false}, {"crlf", "\r\n", false}, {"tab", "", true},
	}
	for _, tc := range tests {
		got, err := ParseSuffix(tc.in)
		if string(got) != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseSuffix(%q) = %q, %v", tc.in, got, err)
		}
	}
}

// scriptPort is a Port fake: each Read returns the next step.
type scriptPort struct {
	steps []struct {
		data string
		err  error
	}
}

func (p *scriptPort) Read(ctx context.Context, b []byte) (int, error) {
	if len(p.steps) == 0 {
		<-ctx.Done()
		return 0, serialport.ErrTimeout
	}
	st := p.steps[0]
	p.steps = p.steps[1:]
	return copy(b, st.data), st.err
}
func (p *scriptPort) Close() error   { return nil }
func (p *scriptPort) String() string { return "script" }

// TestFakePortDisconnect runs the Scanner on a fake Port (the driver takes
// an interface, so no pty is needed): a line cut by a hang-up is dropped,
// not glued to the first scan after the scanner comes back.
func TestFakePortDisconnect(t *testing.T) {
	p := &scriptPort{steps: []struct {
		data string
		err  error
	}{
		{"001099012345|0123", nil},
		{"", fmt.Errorf("serialport: read: %w", serialport.ErrDisconnected)},
		{"079303001234|\r\n", nil},
	}}
	sc := New(p, &Opts{Logger: quiet})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s, err := sc.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Text != "079303001234|" {
		t.Fatalf("scan %q, want only the line after the hang-up", s.Text)
	}
	if got := sc.String(); got != "scanner script" {
		t.Fatalf("String = %q", got)
	}
}
