package escpos_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
)

// startSim runs a simulated printer on a pty and opens the driver on it.
func startSim(t *testing.T, simOpts *escpossim.Options, opts *escpos.Options) (*escpossim.Sim, *escpos.Printer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim, err := escpossim.Start(ctx, simOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dev, err := escpos.ParseDevice(sim.DeviceString())
	if err != nil {
		t.Fatal(err)
	}
	if opts == nil {
		opts = &escpos.Options{}
	}
	if opts.StatusTimeout == 0 {
		opts.StatusTimeout = 2 * time.Second // CI machines run many test binaries at once
	}
	p, err := escpos.Open(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return sim, p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestStatusOverPty(t *testing.T) {
	sim, p := startSim(t, nil, nil)
	tests := []struct {
		name    string
		paper   escpos.Paper
		cover   bool
		want    escpos.Status
		wantErr error
	}{
		{"ok", escpos.PaperOK, false, escpos.Status{Online: true, Paper: escpos.PaperOK}, nil},
		{"near end", escpos.PaperNearEnd, false, escpos.Status{Online: true, Paper: escpos.PaperNearEnd}, nil},
		{"paper end", escpos.PaperEnd, false, escpos.Status{Online: false, Paper: escpos.PaperEnd}, escpos.ErrPaperEnd},
		{"cover open", escpos.PaperOK, true, escpos.Status{Online: false, Paper: escpos.PaperOK, CoverOpen: true}, escpos.ErrCoverOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim.SetPaper(tc.paper)
			sim.SetCover(tc.cover)
			got, err := p.Status(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Status = %+v, want %+v", got, tc.want)
			}
			if err := got.Err(); !errors.Is(err, tc.wantErr) {
				t.Errorf("Err() = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func sampleDoc() *escpos.Document {
	d := &escpos.Document{}
	d.Add(escpos.Text{Text: "Phòng khám Nội – Tầng 2", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.QR{Data: "Q-A023", Module: 6, Align: escpos.AlignCenter})
	d.Add(escpos.Barcode{Data: "A023-{x}", Align: escpos.AlignCenter})
	d.Add(escpos.Beep{Times: 2})
	d.Add(escpos.Cut{Partial: true})
	return d
}

func TestPrintJob(t *testing.T) {
	tests := []struct {
		name      string
		paper     escpos.Paper
		cover     bool
		wantErr   error
		wantPages int
		wantNear  bool
	}{
		{"ok", escpos.PaperOK, false, nil, 1, false},
		{"near end warns", escpos.PaperNearEnd, false, nil, 1, true},
		{"paper end", escpos.PaperEnd, false, escpos.ErrPaperEnd, 0, false},
		{"cover open", escpos.PaperOK, true, escpos.ErrCoverOpen, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim, p := startSim(t, &escpossim.Options{MaxRasterBytes: 4096}, &escpos.Options{EncoderOptions: escpos.EncoderOptions{ChunkBytes: 4096}})
			sim.SetPaper(tc.paper)
			sim.SetCover(tc.cover)
			res, err := p.Print(ctxT(t), sampleDoc())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Print error = %v, want %v", err, tc.wantErr)
			}
			if res.PaperNearEnd != tc.wantNear {
				t.Errorf("PaperNearEnd = %v, want %v", res.PaperNearEnd, tc.wantNear)
			}
			if n := len(sim.Pages()); n != tc.wantPages {
				t.Errorf("pages = %d, want %d", n, tc.wantPages)
			}
			if probs := sim.Problems(); len(probs) > 0 {
				t.Errorf("simulator rejected input: %v", probs)
			}
			if tc.wantPages == 1 && sim.Beeps() != 2 {
				t.Errorf("beeps = %d, want 2", sim.Beeps())
			}
		})
	}
}
