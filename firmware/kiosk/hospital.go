package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

func startHospital(ctx context.Context, e *env) ([]component, *hospital.Flow, error) {
	cfg := e.cfg
	var parts []component
	fail := func(err error) ([]component, *hospital.Flow, error) { return parts, nil, err }

	services := make([]queue.Service, len(cfg.Queue.Services))
	for i, s := range cfg.Queue.Services {
		services[i] = queue.Service{Code: s.Code, Name: s.Name, Counters: s.Counters}
	}
	eng, err := queue.Open(ctx, queue.Config{Services: services, ResetAt: cfg.Queue.ResetOffset(),
		PriorityEvery: cfg.Queue.PriorityEvery, Location: cfg.Device.Location()}, records.NewQueueJournal(e.store))
	if err != nil {
		return fail(fmt.Errorf("kiosk: queue: %w", err))
	}
	_ = e.m.LabeledGauge("queue_waiting", "People waiting per queue service.", "service", func() map[string]float64 {
		qctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		out := map[string]float64{}
		if b, err := eng.Board(qctx); err == nil {
			for _, sv := range b.Services {
				out[sv.Code] = float64(sv.Waiting)
			}
		}
		return out
	})
	if cfg.Queue.APIListen != "" {
		c, err := serveQueueAPI(eng, e)
		if err != nil {
			return fail(err)
		}
		parts = append(parts, c)
	}

	spec, ok := cfg.Devices["printer"]
	if !ok {
		return fail(errors.New("kiosk: the hospital profile needs [devices.printer] for queue tickets"))
	}
	printer, err := escpos.Open(devices.PrinterOptions(spec, e.log))
	if err != nil {
		return fail(fmt.Errorf("kiosk: printer: %w", err))
	}
	parts = append(parts, component{"printer", func(context.Context) error { return printer.Close() }},
		monitorPrinter(ctx, e, printer, 30*time.Second))
	header := tickets.Header{Name: cfg.Hospital.Name, Address: cfg.Hospital.Address, Phone: cfg.Hospital.Phone}

	if c, err := startDispenser(ctx, e, eng, printer, header, cfg.Hospital.DefaultQueue); err != nil {
		return fail(err)
	} else if c != nil {
		parts = append(parts, *c)
	}

	insurance, err := insuranceChecker(cfg, e)
	if err != nil {
		return fail(err)
	}
	if cfg.HIS.BaseURL == "" {
		return fail(errors.New("kiosk: the hospital profile needs [his] base_url"))
	}
	hisToken, err := secret(cfg.HIS.Token, cfg.HIS.TokenFile)
	if err != nil {
		return fail(fmt.Errorf("kiosk: his token: %w", err))
	}
	hisClient, err := his.New(his.Config{BaseURL: cfg.HIS.BaseURL, Token: hisToken, Timeout: cfg.HIS.Timeout.D(), Logger: e.log})
	if err != nil {
		return fail(err)
	}

	var payments hospital.Payments
	if cfg.Hospital.Prepayment && cfg.Payments.BIN != "" {
		mgr, c, err := paymentManager(ctx, e, printer, header)
		parts = append(parts, c...)
		if err != nil {
			return fail(err)
		}
		payments = mgr
	}

	var flow *hospital.Flow
	holder, c, err := holderVerifier(ctx, e, func(s fingerprint.Step) {
		if flow != nil {
			flow.FingerPrompt(hospital.FingerStep(s))
		}
	})
	if err != nil {
		return fail(err)
	}
	parts = append(parts, c...)

	reader, sc, in, err := e.inputs(ctx)
	if err != nil {
		return fail(err)
	}
	parts = append(parts, in...)
	trust, err := identity.LoadTrust(cfg.Identity.TrustDir, e.log)
	if err != nil {
		e.log.Warn("no CSCA trust anchors: cards can only be 'unverified'", "dir", cfg.Identity.TrustDir, "err", err)
		trust = pa.NewTrustStore()
	}
	_ = e.m.Gauge("trust_anchors", "CSCA certificates loaded from the trust folder.", func() float64 { return float64(trust.Len()) })
	_ = e.m.LabeledGauge("trust_skipped_certificates", "Certificates and files the trust folder holds but the kiosk left out, by reason.", "reason", func() map[string]float64 {
		out := map[string]float64{}
		for r, n := range trust.SkipCounts() {
			out[string(r)] = float64(n)
		}
		return out
	})
	// The brainpool tables (tens of ms on a board) are built while the
	// kiosk starts rather than during the first patient's card read.
	go emrtd.WarmUp()
	ident := &cardIdentifier{reader: reader, log: e.log, m: e.m, readTimeout: cfg.Identity.ReadTimeout.D(), busy: make(chan struct{}, 1),
		canWait: cfg.Hospital.CANWait.D(), presencePoll: presencePoll,
		pipeline: identity.Options{Trust: trust, ReadFace: cfg.Identity.ReadFace, Logger: e.log}}
	if sc != nil {
		ident.qr = qrSource{sc}
	}

	hc := hospital.Config{
		DeviceID: cfg.Device.ID, Header: header, Prepayment: payments != nil,
		Enrol: hospital.EnrolPolicy(cfg.Hospital.EnrolOffer), ConsentVersion: cfg.Hospital.ConsentVersion,
		RejectUnverified: cfg.Hospital.RejectUnverified, HolderAttempts: cfg.Hospital.HolderAttempts, CANAttempts: cfg.Hospital.CANAttempts,
		IdleTimeout: cfg.UI.IdleTimeout.D(), DefaultQueue: cfg.Hospital.DefaultQueue, ClinicQueues: cfg.Hospital.ClinicQueues,
		VisitReason: cfg.Hospital.VisitReason, ResumeCheck: cfg.Hospital.ResumeCheck.D(), Location: cfg.Device.Location(), Logger: e.log,
	}
	deps := hospital.Deps{Identifier: ident, Insurance: insurance, HIS: hisClient, Queue: eng, Printer: printer,
		Payments: payments, Recorder: hospitalRecorder{e.store}}
	if holder != nil {
		deps.Holder = holder
	}
	flow, err = hospital.New(hc, deps)
	if err != nil {
		return fail(err)
	}
	parts = append(parts, goComponent(ctx, "hospital flow", e.log, flow.Run))
	return parts, flow, nil
}

// secret is an inline value or the trimmed contents of a file.
func secret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	return strings.TrimSpace(string(b)), err
}

// insuranceChecker is the BHYT client, or, when no gateway is configured,
// a checker that always answers "unavailable" so patients go on as
// fee-paying (the flow's fallback for the ~16% of failed lookups).
func insuranceChecker(cfg *config.Config, e *env) (hospital.InsuranceChecker, error) {
	if cfg.BHYT.BaseURL == "" {
		e.log.Warn("no [bhyt] gateway configured: patients register as fee-paying")
		return noInsurance{}, nil
	}
	pw, err := secret(cfg.BHYT.Password, cfg.BHYT.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("kiosk: bhyt password: %w", err)
	}
	return bhyt.New(bhyt.Config{BaseURL: cfg.BHYT.BaseURL, Username: cfg.BHYT.Username, Password: pw,
		StaffName: cfg.BHYT.StaffName, StaffID: cfg.BHYT.StaffCCCD, Timeout: cfg.BHYT.Timeout.D(), Logger: e.log})
}

type noInsurance struct{}

func (noInsurance) Check(ctx context.Context, q bhyt.Query) (bhyt.Result, error) {
	return bhyt.Result{Meaning: bhyt.DescribeFailure()}, fmt.Errorf("no gateway configured: %w", bhyt.ErrUnavailable)
}

func paymentManager(ctx context.Context, e *env, p *escpos.Printer, h tickets.Header) (*session.Manager, []component, error) {
	cfg := e.cfg
	base := cfg.Payments.BaseURL
	if base == "" {
		base = cfg.Uplink.BaseURL
	}
	return startPayments(ctx, e, session.Config{DeviceID: cfg.Device.ID, RefPrefix: cfg.Payments.RefPrefix, BIN: cfg.Payments.BIN,
		Account: cfg.Payments.Account, Name: cfg.Payments.Name, City: cfg.Payments.City, QRTimeout: cfg.Payments.QRTimeout.D(),
		BaseURL: base}, records.NewSessionRecorder(e.store), receiptPrinter{p, h})
}

// receiptPrinter prints a paid session's receipt on the kiosk printer.
type receiptPrinter struct {
	p *escpos.Printer
	h tickets.Header
}

func (r receiptPrinter) PrintReceipt(ctx context.Context, rc session.Receipt) error {
	_, err := r.p.Print(ctx, tickets.PaymentReceipt(r.h, tickets.Receipt{
		Title: "BIÊN LAI THANH TOÁN", Lines: []tickets.ReceiptLine{{Name: rc.Purpose, Amount: rc.Amount}},
		Total: rc.Amount, PaymentRef: rc.Ref, TransactionID: rc.TxnID, PaidAt: rc.PaidAt,
	}))
	return err
}

// holderVerifier opens the fingerprint module (if configured) and the
// holder binding over the store. nil when there is no module.
func holderVerifier(ctx context.Context, e *env, prompt func(fingerprint.Step)) (*identity.Holder, []component, error) {
	spec, ok := e.cfg.Devices["fingerprint"]
	if !ok {
		return nil, nil, nil
	}
	dev, opts := devices.FingerprintDevice(spec, e.log)
	mod, err := fingerprint.Open(ctx, dev, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("kiosk: fingerprint: %w", err)
	}
	key, err := operatorKey(e.cfg, e.cfg.Device.DataDir+"/holder.key", func(p string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		return []byte(strings.TrimSpace(string(b))), nil
	})
	if err != nil {
		mod.Close()
		return nil, nil, fmt.Errorf("kiosk: holder key: %w", err)
	}
	hs := records.NewHolderStore(e.store)
	h, err := identity.NewHolder(mod, hs, hs, identity.HolderOptions{DeviceKey: key, Prompt: prompt})
	if err != nil {
		mod.Close()
		return nil, nil, err
	}
	return h, []component{{"fingerprint", func(context.Context) error { return mod.Close() }}}, nil
}

// hospitalRecorder appends the flow's records to the store; it returns once
// the record is durable, or the store's error (store.ErrFull on a full
// disk), on which the flow stops taking patients.
type hospitalRecorder struct{ st *store.Store }

func (r hospitalRecorder) Record(ctx context.Context, rec hospital.Record) error {
	payload := rec.Payload
	if payload == nil {
		payload = map[string]any{}
	}
	payload["at"] = rec.At.UTC().Format(time.RFC3339Nano)
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("kiosk: hospital record: %w", err)
	}
	if _, err := r.st.Append(ctx, store.Record{Kind: rec.Kind, Payload: b, Personal: rec.Personal}); err != nil {
		return fmt.Errorf("kiosk: hospital record %s: %w", rec.Kind, err)
	}
	return nil
}

// cardIdentifier waits for the CCCD: its QR on the scanner and/or its chip
// on the reader, in either order, and reads the chip with keys from the QR.
// A card tapped without a QR is opened with the CAN the person types
// (hospital.CANIdentifier): after canWait without a QR scan it asks for the
// CAN, then tries each CAN the flow hands it until one opens the chip, a QR
// scan comes (and wins), the card leaves the reader or ctx ends.
type cardIdentifier struct {
	reader      nfc.Reader
	qr          qrReader // nil: no scanner
	pipeline    identity.Options
	readTimeout time.Duration
	// canWait is how long a card waits on the reader for a QR scan before
	// the CAN is asked for (at once when there is no scanner).
	canWait time.Duration
	// presencePoll is how often a card waiting for its CAN is checked
	// for presence (readers that can tell: nfc.PresenceChecker).
	presencePoll time.Duration
	log          *slog.Logger
	m            *metrics.Metrics
	// busy admits one Identify at a time: the flow cancels a superseded call
	// without waiting for it, and the scanner and reader take one reading
	// goroutine each.
	busy chan struct{}
}

// qrReader is the scanner as the identifier uses it (qrSource).
type qrReader interface {
	ReadQR(ctx context.Context) (string, error)
}

var _ hospital.CANIdentifier = (*cardIdentifier)(nil)

// pairWindow is how long the kiosk waits for the other half (card after a
// QR scan, QR after a card tap when no CAN can be typed).
const pairWindow = 15 * time.Second

// presencePoll is how often a card waiting for its CAN is checked for
// presence (cardIdentifier.presencePoll).
const presencePoll = 500 * time.Millisecond

// errScanQR asks the person to scan the QR on the card: the chip cannot be
// opened without the key it gives.
var errScanQR = errors.New("kiosk: scan the QR code on the card so the chip can be opened")

// Identify waits for a QR scan and a card tap and reads the chip with the
// QR's keys; a card without a QR is not read (errScanQR).
func (c *cardIdentifier) Identify(ctx context.Context, progress func(hospital.Progress)) (hospital.Identity, error) {
	return c.IdentifyCAN(ctx, progress, nil)
}

// IdentifyCAN is Identify that asks for the CAN of a card tapped without a
// QR scan (hospital.CANIdentifier); cans nil never asks.
func (c *cardIdentifier) IdentifyCAN(ctx context.Context, progress func(hospital.Progress), cans <-chan string) (hospital.Identity, error) {
	select {
	case c.busy <- struct{}{}: // the superseded call has returned
	case <-ctx.Done():
		return hospital.Identity{}, ctx.Err()
	}
	defer func() { <-c.busy }()
	ctx, cancel := context.WithCancel(ctx)
	// The scanner and the reader each take one reading goroutine: stop this
	// call's readers (both honour ctx within one poll) before the next
	// Identify starts its own.
	var readers sync.WaitGroup
	defer func() { cancel(); readers.Wait() }()
	qrs, cards := make(chan string, 1), make(chan nfc.Card, 1)
	if c.qr != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for ctx.Err() == nil {
				text, err := c.qr.ReadQR(ctx)
				if err == nil {
					qrs <- text
					return
				}
				sleepCtx(ctx, 200*time.Millisecond)
			}
		}()
	}
	if c.reader != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for ctx.Err() == nil {
				card, err := c.reader.WaitCard(ctx)
				if err == nil {
					cards <- card
					return
				}
				sleepCtx(ctx, 200*time.Millisecond)
			}
		}()
	}
	progress(hospital.Progress{Step: hospital.ReadWaiting})
	var qr *cccd.QRData
	var card nfc.Card
	select {
	case <-ctx.Done():
		return hospital.Identity{}, ctx.Err()
	case text := <-qrs:
		q, err := cccd.ParseQR(text)
		if err != nil {
			return hospital.Identity{}, err
		}
		qr = &q
	case card = <-cards:
	}
	progress(hospital.Progress{Step: hospital.ReadDetected, Fraction: 0.05})
	if card != nil {
		defer c.release(ctx, card)
	}
	if qr != nil {
		if c.reader == nil {
			return qrOnly(qr), nil
		}
		wait := time.NewTimer(pairWindow)
		defer wait.Stop()
		select {
		case card = <-cards:
			defer c.release(ctx, card)
		case <-wait.C:
			return qrOnly(qr), nil
		case <-ctx.Done():
			return hospital.Identity{}, ctx.Err()
		}
		return c.readChip(ctx, card, identity.Keys{QR: qr}, hospital.MethodChipQR, progress)
	}
	// A card and no QR yet.
	window := pairWindow
	if cans != nil {
		window = c.canWait
		if c.qr == nil {
			window = 0 // no scanner: ask at once
		}
	}
	wait := time.NewTimer(window)
	defer wait.Stop()
	select {
	case text := <-qrs:
		q, err := cccd.ParseQR(text)
		if err != nil {
			return hospital.Identity{}, err
		}
		return c.readChip(ctx, card, identity.Keys{QR: &q}, hospital.MethodChipQR, progress)
	case <-wait.C:
		if cans == nil {
			return hospital.Identity{}, errScanQR
		}
		return c.askCAN(ctx, card, qrs, cans, progress)
	case <-ctx.Done():
		return hospital.Identity{}, ctx.Err()
	}
}

// qrOnly is the identity a QR gives alone: the printed data, which nothing
// has proved genuine.
func qrOnly(qr *cccd.QRData) hospital.Identity {
	return hospital.Identity{Citizen: qr.Citizen(), Verdict: hospital.Unverified, Reason: "qr_only", Method: hospital.MethodQR}
}

// askCAN reports ReadNeedCAN and opens the chip with each CAN from cans
// until one works; a refused CAN is reported (WrongCAN) and the next one
// awaited. A QR scan meanwhile wins; a card that leaves the reader ends the
// call with identity.ErrCardRemoved. The digits are neither logged nor
// kept.
func (c *cardIdentifier) askCAN(ctx context.Context, card nfc.Card, qrs <-chan string, cans <-chan string, progress func(hospital.Progress)) (hospital.Identity, error) {
	progress(hospital.Progress{Step: hospital.ReadNeedCAN})
	var poll <-chan time.Time
	pc, canPoll := card.(nfc.PresenceChecker)
	if canPoll && c.presencePoll > 0 {
		t := time.NewTicker(c.presencePoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return hospital.Identity{}, ctx.Err()
		case text := <-qrs:
			q, err := cccd.ParseQR(text)
			if err != nil {
				return hospital.Identity{}, err
			}
			return c.readChip(ctx, card, identity.Keys{QR: &q}, hospital.MethodChipQR, progress)
		case can := <-cans:
			if !cccd.ValidCAN(can) {
				// The flow checks first; should a malformed entry come
				// anyway, it never reaches the card.
				progress(hospital.Progress{Step: hospital.ReadNeedCAN, WrongCAN: true})
				continue
			}
			id, err := c.readChip(ctx, card, identity.Keys{CAN: can}, hospital.MethodChipCAN, progress)
			if errors.Is(err, identity.ErrWrongKey) {
				c.log.Info("kiosk: the card refused the typed CAN")
				progress(hospital.Progress{Step: hospital.ReadNeedCAN, WrongCAN: true})
				continue
			}
			return id, err
		case <-poll:
			pctx, cancel := context.WithTimeout(ctx, time.Second)
			present, err := pc.Present(pctx)
			cancel()
			if err == nil && !present {
				c.m.CardReads.WithLabelValues("card_removed").Inc()
				return hospital.Identity{}, fmt.Errorf("kiosk: waiting for the CAN: %w", identity.ErrCardRemoved)
			}
		}
	}
}

// readChip reads and verifies the card with keys; the card is left
// activated (a refused CAN may be followed by another).
func (c *cardIdentifier) readChip(ctx context.Context, card nfc.Card, keys identity.Keys, method hospital.Method, progress func(hospital.Progress)) (hospital.Identity, error) {
	opt := c.pipeline
	opt.Progress = func(p identity.Progress) {
		step := hospital.ReadChip
		if p.Step == "verify" || p.Step == "chip_auth" {
			step = hospital.ReadVerifying
		}
		progress(hospital.Progress{Step: step, Fraction: 0.05 + 0.95*p.Fraction})
	}
	rctx, cancel := context.WithTimeout(ctx, c.readTimeout)
	defer cancel()
	id, err := identity.NewPipeline(opt).Read(rctx, card, keys)
	if err != nil {
		c.m.CardReads.WithLabelValues(readResult(err)).Inc()
		return hospital.Identity{}, err
	}
	c.m.CardReads.WithLabelValues("ok").Inc()
	c.m.Verdicts.WithLabelValues(string(id.Verdict), string(id.Reason)).Inc()
	progress(hospital.Progress{Step: hospital.ReadDone, Fraction: 1})
	return hospital.Identity{Citizen: id.Citizen, Verdict: hospital.Verdict(id.Verdict), Reason: string(id.Reason), Method: method}, nil
}

// release deselects the card, even when ctx has ended.
func (c *cardIdentifier) release(ctx context.Context, card nfc.Card) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = card.Release(rctx)
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// readResult labels a failed card read for the card_reads_total metric.
func readResult(err error) string {
	switch {
	case errors.Is(err, identity.ErrCardRemoved):
		return "card_removed"
	case errors.Is(err, identity.ErrWrongKey):
		return "wrong_key"
	case errors.Is(err, identity.ErrNotIDCard):
		return "not_id_card"
	case errors.Is(err, identity.ErrNoKey):
		return "no_key"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}
