// Package store is the durable transaction store of a kiosk06 device: every
// record the user is told "accepted" is on disk (SQLite WAL,
// synchronous=FULL) before Append returns, survives kill -9 at any instant,
// and is kept until the backend has acknowledged it (design §6, issue 3).
//
// It owns:
//   - the record log: per-device, gapless, monotonic sequence numbers (Seq)
//     written in the same transaction as the record, so (device_id, seq) is a
//     permanent idempotency key for protocol v1 (see firmware/uplink);
//   - one writer goroutine with group commit: concurrent Append calls are
//     batched into one transaction and one fsync, and each returns only after
//     its commit is durable;
//   - sealing of personal fields (name, ID number, date of birth, address,
//     phone, fingerprint binding) with AES-256-GCM under a per-device key file
//     (mode 0600, created on first start); plaintext never reaches the
//     database file or the logs;
//   - capacity: MaxRecords rows at most; acknowledged rows are evicted first,
//     unuploaded rows are never dropped, and when the outbox alone fills the
//     store, or the disk is full (ENOSPC, SQLITE_FULL), Append fails with
//     ErrFull and the database stays intact;
//   - versioned schema migrations embedded from migrations/*.sql
//     (PRAGMA user_version);
//   - a small durable key/value table (Put/Get) through the same writer.
//
// Retention: Options.Retention bounds how long an acknowledged record (with
// its sealed personal fields) is kept; Purge deletes older ones.
//
// Glossary: "outbox" = records not yet acknowledged; "acked_through" = the
// highest seq the backend confirmed (protocol v1); "quarantined" = a record
// the backend rejected with a 4xx, kept forever and reported, never resent.
//
// This package must not import firmware/uplink, flows, drivers or UI code;
// it depends only on the standard library, go-sqlite3 and x/sys.
package store
