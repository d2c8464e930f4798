-- Version 1: the append-only record log and the per-device sequence.
-- (device_id, seq) is the permanent idempotency key of protocol v1.
CREATE TABLE records (
    device_id  TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    kind       TEXT    NOT NULL,
    created_ns INTEGER NOT NULL,           -- wall clock, Unix nanoseconds (UTC)
    boot_id    TEXT    NOT NULL,           -- kernel boot id at creation
    mono_ns    INTEGER NOT NULL,           -- CLOCK_BOOTTIME offset at creation
    payload    BLOB    NOT NULL,           -- compact JSON object
    sealed     BLOB,                       -- AES-256-GCM sealed personal fields, NULL if none
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

CREATE TABLE devices (
    device_id TEXT    PRIMARY KEY,
    last_seq  INTEGER NOT NULL DEFAULT 0
);
