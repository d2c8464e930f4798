//go:build !nogui

package main

import (
	"context"
	"errors"
	"log/slog"

	"fyne.io/fyne/v2/app"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/parkingui"
	"github.com/kiosk06/kiosk/ui/simpanel"
)

// guiBuilt: this binary includes the Fyne UI (built without -tags nogui).
const guiBuilt = true

// kioskUI returns the window runner for the profile's screens (the hospital
// kiosk or the parking exit lane), with the simulator panel beside it under
// --sim; nil (headless) when there is no display.
func kioskUI(e *env, cfg *config.Config, rig *simrig.Rig, log *slog.Logger) func(context.Context, kiosk.Screens) error {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		log.Warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running headless")
		return nil
	}
	return func(ctx context.Context, s kiosk.Screens) error {
		a := app.NewWithID("vn.kiosk06")
		if rig != nil {
			simpanel.New(ctx, a, "kiosk06 — bảng mô phỏng thiết bị", simGroups(rig, cfg.Device.ID)).Window().Show()
		}
		var err error
		switch {
		case s.Hospital != nil:
			err = ui.Run(ctx, a, cfg.UI, s.Hospital)
		case s.Parking != nil:
			err = parkingui.Run(ctx, a, s.Parking, s.ParkingStates, cfg.UI.Fullscreen)
		}
		if errors.Is(err, ui.ErrWindowClosed) || errors.Is(err, parkingui.ErrWindowClosed) {
			return nil
		}
		return err
	}
}

// simGroups are the simulator panel's buttons: what a patient, a printer or
// the insurance service can do to the simulated kiosk.
func simGroups(rig *simrig.Rig, deviceID string) []simpanel.Group {
	var groups []simpanel.Group
	if rig.NFC != nil {
		g := simpanel.Group{Title: "Thẻ CCCD (đầu đọc NFC)"}
		for _, v := range simrig.Variants {
			g.Actions = append(g.Actions, simpanel.Action{Label: "Chạm thẻ: " + v.String(), Do: func(context.Context) error { return rig.TapCard(testpki.Adult, v, 0) }})
		}
		if c, err := rig.Card(testpki.Adult, testpki.Genuine); err == nil {
			// The patient without a QR scan: the kiosk asks for this CAN.
			g.Actions = append(g.Actions, simpanel.Action{Label: "Chạm thẻ genuine, không quét QR (nhập CAN " + c.CAN + ")",
				Do: func(context.Context) error { return rig.TapCard(testpki.Adult, testpki.Genuine, 0) }})
		}
		g.Actions = append(g.Actions,
			simpanel.Action{Label: "Thẻ bị rút giữa chừng", Do: func(context.Context) error { return rig.TapCard(testpki.Adult, testpki.Genuine, 8) }},
			simpanel.Action{Label: "Rút thẻ ra", Do: func(context.Context) error { rig.RemoveCard(); return nil }})
		groups = append(groups, g)
	}
	if rig.Scanner != nil {
		g := simpanel.Group{Title: "Mã QR (máy quét)"}
		for _, v := range []testpki.Variant{testpki.Genuine, testpki.BACOnly} {
			g.Actions = append(g.Actions, simpanel.Action{Label: "Quét QR thẻ: " + v.String(), Do: func(context.Context) error { return rig.ScanQR(testpki.Adult, v) }})
		}
		g.Actions = append(g.Actions, simpanel.Action{Label: "Quét mã VNeID (không hỗ trợ)", Do: func(context.Context) error { return rig.Scanner.Scan("https://vneid.gov.vn/qr/placeholder") }})
		groups = append(groups, g)
	}
	if fp := rig.Fingerprint; fp != nil {
		groups = append(groups, simpanel.Group{Title: "Vân tay", Actions: []simpanel.Action{
			{Label: "Đặt ngón tay của chủ thẻ", Do: func(context.Context) error { fp.Touch("holder-right-index", 3); return nil }},
			{Label: "Đặt ngón tay người khác", Do: func(context.Context) error { fp.Touch("someone-else", 3); return nil }},
			{Label: "Nhấc ngón tay", Do: func(context.Context) error { fp.LiftFinger(); return nil }},
		}})
	}
	if pr := rig.Printer; pr != nil {
		groups = append(groups, simpanel.Group{Title: "Máy in", Actions: []simpanel.Action{
			{Label: "Giấy bình thường", Do: func(context.Context) error { pr.SetPaper(escpos.PaperOK); pr.SetCover(false); return nil }},
			{Label: "Sắp hết giấy", Do: func(context.Context) error { pr.SetPaper(escpos.PaperNearEnd); return nil }},
			{Label: "Hết giấy", Do: func(context.Context) error { pr.SetPaper(escpos.PaperEnd); return nil }},
			{Label: "Mở nắp máy in", Do: func(context.Context) error { pr.SetCover(true); return nil }},
		}})
	}
	if rig.Payments != nil {
		groups = append(groups, simpanel.Group{Title: "Thanh toán VietQR", Actions: []simpanel.Action{
			{Label: "Xác nhận chuyển khoản", Do: func(context.Context) error { _, err := rig.PayPending(deviceID); return err }},
		}})
	}
	if b := rig.BHYT; b != nil {
		groups = append(groups, simpanel.Group{Title: "Cổng BHYT", Actions: []simpanel.Action{
			{Label: "BHYT hoạt động", Do: func(context.Context) error { b.SetOutage(false); return nil }},
			{Label: "BHYT mất kết nối", Do: func(context.Context) error { b.SetOutage(true); return nil }},
		}})
	}
	return groups
}
