// Package store is the durable transaction store of a kiosk06 device: every
// record the user is told "accepted" is on disk (SQLite WAL,
// synchronous=FULL) before Append returns, survives kill -9 at any instant,
// and is kept until the backend has acknowledged it (design §6, issue 3).
//
// It owns:
//   - the record log: per-device, gapless, monotonic sequence numbers (Seq)
//     written in the same transaction as the record, under a store epoch:
//     128 random bits created with the database (meta table), so
//     (device_id, epoch, seq) is a permanent idempotency key for protocol
//     v1 (docs/PROTOCOL.md) and a deleted, truncated or replaced database
//     can never make the backend take new records for duplicates;
//   - the epoch marker file beside the database (<db>.epoch): a database
//     that starts empty where another epoch ran is an error in the log, an
//     EpochReset for the metrics and a KindEpochReset record for the
//     backend; an older copy of the same epoch (seqs would be reissued) is
//     refused with ErrRolledBack;
//   - one writer goroutine with group commit: concurrent Append calls are
//     batched into one transaction and one fsync, and each returns only after
//     its commit is durable;
//   - sealing of personal fields (name, ID number, date of birth, address,
//     phone, fingerprint binding) with AES-256-GCM under a per-device key file
//     kept apart from the data (mode 0600; firmware/kiosk reads it from the
//     systemd credential); plaintext never reaches the database file or the
//     logs. The database stores a check value of its key: a missing or
//     different key where sealed fields exist is refused at Open
//     (ErrKeyLost, ErrKeyMismatch) instead of wedging the uplink;
//     QuarantineUnreadable is the documented way out;
//   - capacity: MaxRecords rows at most; acknowledged rows are evicted first,
//     unuploaded rows are never dropped; MinFreeBytes of the file system are
//     kept for acknowledgements and purges. When the outbox fills the store,
//     or the disk is full (reserve reached, ENOSPC, SQLITE_FULL), Append
//     fails with ErrFull; any other failed write is ErrUnavailable; the
//     database stays intact. Check and Health say whether the store takes
//     new work (for /healthz and the flows);
//   - versioned schema migrations embedded from migrations/*.sql
//     (PRAGMA user_version);
//   - a small durable key/value table (Put/Get) through the same writer.
//
// Retention: Options.Retention bounds how long an acknowledged record (with
// its sealed personal fields) is kept; Purge deletes older ones.
//
// Glossary: "outbox" = records not yet acknowledged; "acked_through" = the
// highest seq the backend confirmed (protocol v1); "quarantined" = a record
// the backend rejected with a 4xx (or whose sealed fields are unreadable),
// kept and reported, never resent unless an operator releases it;
// "quarantine run" = records quarantined since the last acknowledgement,
// persisted so restarts do not reset the uploader's budget; "origin" = the
// first (epoch, seq) of a record a salvage re-homed into a new epoch.
//
// This package must not import firmware/uplink, flows, drivers or UI code;
// it depends only on the standard library, go-sqlite3 and x/sys.
package store
