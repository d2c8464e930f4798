// Package widgets owns the kiosk's touch widgets: big buttons (every side ≥
// theme.TouchTarget, ≥ 15 mm), an on-screen numeric keypad (grouped for a
// date, masked for a PIN) and an on-screen text keyboard (desktop Linux
// has no on-screen keyboard and the kiosk has no physical one; the caller
// composes Vietnamese with ui/vnime), a progress
// indicator for the chip read, a countdown, a QR-code image for VietQR
// payloads, the page scaffold every screen uses (title, body, actions,
// back and call-staff bar) including the error-screen template ("what
// happened / what to do next"), the "Nghe hướng dẫn" listen button a
// speaking kiosk puts under every screen (ListenButton, WithListen), and the
// slideshow of an idle screen's attract loop (steps with a picture and one
// line each).
//
// Widgets take already-translated strings and callbacks; they hold no
// business rules. Widget state changes must happen on the Fyne goroutine
// (callers running elsewhere wrap them in fyne.Do). It imports Fyne,
// rsc.io/qr and ui/theme only; it must NOT import drivers, firmware flows
// or ui/i18n.
package widgets
