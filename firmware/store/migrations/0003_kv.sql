-- Version 3: a small durable key/value table and reading records back by kind.
CREATE TABLE kv (
    key        TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    updated_ns INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX records_kind ON records (device_id, kind, seq);
