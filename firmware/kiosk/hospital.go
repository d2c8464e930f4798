package kiosk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
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
	// A QR alone registers an unverified patient ([hospital]
	// reject_unverified decides whether they may continue).
	ident := e.acquirer(reader, sc, identity.Policy{CANWait: cfg.Hospital.CANWait.D(), QRAlone: true},
		identity.Options{Trust: trust, ReadFace: cfg.Identity.ReadFace})

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
	_, err := records.Append(ctx, r.st, rec.At, rec.Payload, rec.Personal)
	return err
}
