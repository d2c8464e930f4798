// Package staffmenu owns the on-device staff menu the ticketing, one-stop,
// check-in and parking profiles mount (issue 22.6; the hospital kiosk has
// its own in firmware/hospital/admin.go): a staff PIN with lockout
// (firmware/admin), then device status, a printer test page, a reprint of
// the last ticket or receipt, "paper changed", opening or closing the
// services the profile names, today's report (record counts, printed when
// there is a printer) and restart. Back, or Config.Idle without a touch,
// logs out.
//
// A Menu is a sub-state-machine that lives inside its profile's flow: the
// flow shows the menu's View on its staff screen, forwards its Intents to
// Handle and runs nothing else (no card is read) until the menu calls the
// leave function Open was given. Every method is called on the flow's own
// loop goroutine; slow work (the PBKDF2 check, printing, reading the
// store) runs through the Host the flow provides and comes back on the
// loop. Every PIN entered, lockout, action and logout is an admin.audit
// record (records.AdminAudit), fsync'd before the action happens; when it
// cannot be stored the action does not happen and the menu logs out.
// Nothing about a person is shown, printed or recorded: the report counts
// record kinds, the status is the device's, and a reprint prints what the
// flow handed over as its last printed document.
//
// It imports firmware/admin, firmware/records, firmware/store,
// queue/staffcall (acknowledging paper alerts) and drivers/escpos (the
// document and status types); it must not import a profile package,
// firmware/kiosk, Fyne or ui/.
package staffmenu
