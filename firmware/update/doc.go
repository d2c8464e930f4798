// Package update owns signed updates with rollback (issue 22.2): the
// update trigger the backend signs and sends on the downlink (kind
// "update"), its checks, and the updater that installs the version it
// names from the kiosk06 apt repository, holds it to a health gate and
// puts the previous version back when the gate fails.
//
// The packages themselves are trusted the Debian way: the device's apt
// source (/etc/apt/sources.list.d/kiosk06.sources) names the archive's
// OpenPGP key with signed-by, and apt verifies Release → Packages → the
// .deb's hash before dpkg sees it. This package never parses an archive.
// What it adds is the decision to install, which apt has no notion of:
//
//   - Trigger: the JSON payload of a firmware/envelope envelope (Ed25519,
//     the operator's trigger key, [update] public_key_file): package,
//     Debian version, canary stage (percentage), optional device list,
//     not_before/expires. Admit refuses, with a reason code, a trigger for
//     another device, out of its window, outside its stage (Bucket: a
//     stable hash of device id and version, mod 100, below the stage's
//     percentage; raising the percentage only adds devices), below the
//     version floor (the last version applied, or the installed one: no
//     replay of an old trigger, no downgrade) or naming a version that
//     failed its health gate before.
//   - Receiver: kioskd's side. It checks a trigger and, if it passes,
//     writes it as received to DATA_DIR/update-trigger.json (atomically)
//     for the updater; kiosk06-update.path starts kiosk06-update.service
//     when that file changes. Refusals are recorded (update.rejected).
//   - Updater: `kioskd update apply`, run as root by the oneshot unit,
//     outside kioskd (the package's postinst restarts kioskd). It checks
//     the trigger again with its own copy of the key (kioskd's user may
//     write the trigger file, not choose what root installs), keeps the
//     running version's .deb in [update] state_dir, installs the new one
//     with apt restricted to the kiosk06 source, and runs the health gate
//     (Checks: the unit active, `kioskd selftest --skip-devices` passing,
//     twice in a row, within [update] health_timeout). A failed gate reinstalls the kept
//     .deb, records update.rolled_back and marks the version bad; a passed
//     one records update.applied and raises the floor. Each step is saved
//     in STATE_DIR/state.json before it runs; a run that finds a step
//     unfinished resumes it (docs/OPERATIONS.md, "Updates").
//
// Records the updater makes wait in its state file until a process that
// holds the store writes them: kioskd (Flush, at start and every few
// seconds), or the updater itself when kioskd does not run.
//
// It may import firmware/envelope, firmware/statefile, firmware/records,
// firmware/store and firmware/downlink; it must not import firmware/kiosk,
// firmware/config (the wiring hands it plain values), a profile, drivers
// or UI code.
package update
