package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// diagPrint prints a sample slip with Vietnamese text on an ESC/POS printer.
func diagPrint(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag print", "kioskd diag print --device escpos:/dev/ttyX[@baud] [--width 576] --sample "+strings.Join(tickets.SampleNames(), "|"))
	device := fs.String("device", "", "printer, escpos:PATH[@BAUD]")
	width := fs.Int("width", escpos.Width80mm, "paper width in dots (384 for 58 mm, 576 for 80 mm)")
	sample := fs.String("sample", "queue", "sample slip: "+strings.Join(tickets.SampleNames(), ", "))
	textMode := fs.Bool("text-mode", false, "send encodable lines as CP1258 text instead of raster")
	codePage := fs.Int("codepage", 52, "ESC t number of CP1258 on this printer (with --text-mode)")
	timeout := fs.Duration("timeout", 30*time.Second, "overall time limit")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	dev, err := escpos.ParseDevice(*device)
	if err != nil || fs.NArg() != 0 || *codePage < 0 || *codePage > 255 {
		fs.Usage()
		return exitUsage
	}
	doc, err := tickets.Sample(*sample, time.Now())
	if err != nil {
		return failf(e, exitUsage, "kioskd diag print: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	p, err := escpos.Open(dev, &escpos.Options{EncoderOptions: escpos.EncoderOptions{
		Width: *width, TextMode: *textMode, CodePage: byte(*codePage)}})
	if err != nil {
		return failf(e, exitFailure, "kioskd diag print: %v", err)
	}
	defer p.Close()
	res, err := p.Print(ctx, doc)
	if err != nil {
		return failf(e, exitFailure, "kioskd diag print: %v", err)
	}
	return printerJSON(e, struct {
		Sample       string        `json:"sample"`
		Bytes        int           `json:"bytes"`
		PaperNearEnd bool          `json:"paper_near_end"`
		Status       escpos.Status `json:"status"`
	}{*sample, res.Bytes, res.PaperNearEnd, res.Status})
}

// diagPrinterStatus prints the printer's DLE EOT status as JSON.
func diagPrinterStatus(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag printer-status", "kioskd diag printer-status --device escpos:/dev/ttyX[@baud]")
	device := fs.String("device", "", "printer, escpos:PATH[@BAUD]")
	timeout := fs.Duration("timeout", 5*time.Second, "overall time limit")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	dev, err := escpos.ParseDevice(*device)
	if err != nil || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	p, err := escpos.Open(dev, nil)
	if err != nil {
		return failf(e, exitFailure, "kioskd diag printer-status: %v", err)
	}
	defer p.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return failf(e, exitFailure, "kioskd diag printer-status: %v", err)
	}
	return printerJSON(e, st)
}

func printerJSON(e *env, v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return failf(e, exitFailure, "kioskd: %v", err)
	}
	fmt.Fprintln(e.stdout, string(b))
	return exitOK
}
