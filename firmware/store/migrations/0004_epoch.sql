-- Version 4 (issue 15): the store epoch, the sealing-key check, the
-- persistent quarantine budget, records re-homed from an earlier epoch, and
-- sealed fields the current key cannot open.

-- Facts about this database, created with it. 'epoch' (32 lowercase hex
-- digits, 128 random bits) is inserted in the same transaction by the Go
-- side of this migration (crypto/rand); 'key_check' names the sealing key.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Records quarantined since the last acknowledgement: the uploader's 4xx
-- budget survives restarts (a watchdog restart must not reset it).
ALTER TABLE devices ADD COLUMN quarantine_run INTEGER NOT NULL DEFAULT 0;

-- A record salvaged from an earlier epoch keeps its first identity: the
-- backend dedupes it on (device_id, origin_epoch, origin_seq).
ALTER TABLE records ADD COLUMN origin_epoch TEXT;
ALTER TABLE records ADD COLUMN origin_seq   INTEGER;

-- 1 when the value was written by PutSealed (the key check counts it).
ALTER TABLE kv ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;

-- Sealed blobs the current key cannot open, moved out of records and kv by
-- `kioskd diag store quarantine-unreadable` (kept: the old key may turn up).
CREATE TABLE unreadable (
    source   TEXT    NOT NULL CHECK (source IN ('record', 'kv')),
    ref      TEXT    NOT NULL,   -- the record's seq, or the kv key
    sealed   BLOB    NOT NULL,
    moved_ns INTEGER NOT NULL,
    PRIMARY KEY (source, ref)
) WITHOUT ROWID;
