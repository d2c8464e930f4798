// Package admin owns the on-device staff login of the kiosk's admin menu
// (issue 22.6): the staff PIN file, checking a typed PIN against it, and
// the lockout after too many wrong PINs, kept in a small state file so a
// restart does not reset the count.
//
// The PIN file ([hospital] admin_pin_file) holds one line per member of
// staff, "name:pbkdf2-sha256$ITER$SALT$KEY" (SALT and KEY in unpadded
// base64, a random salt per line; Line makes one, `kioskd admin pin NAME`
// prints it). The name is a staff handle or role ("kythuat1"), recorded in
// the audit as who acted: not a person's full name. A PIN is never stored,
// logged or returned in clear; Guard.Check compares in constant time
// against every line, so the time taken does not say which name matched.
//
// After Policy.MaxFailures wrong PINs in a row the guard refuses every PIN
// for Policy.Lockout, counted on the wall clock and across restarts
// (the state file). The audit records themselves (records.AdminAudit) are
// written by the flow that shows the menu; this package only says what
// happened (Result).
//
// It imports only the standard library: no store, no UI, no driver.
package admin
