-- Version 2: store-and-forward state (acknowledgement, quarantine).
ALTER TABLE records ADD COLUMN acked_ns INTEGER;          -- when the backend acknowledged it
ALTER TABLE records ADD COLUMN quarantined_ns INTEGER;    -- when the backend rejected it (4xx)
ALTER TABLE records ADD COLUMN quarantine_reason TEXT;
ALTER TABLE devices ADD COLUMN acked_through INTEGER NOT NULL DEFAULT 0;

-- Unacknowledged records, in upload order.
CREATE INDEX records_pending ON records (device_id, seq) WHERE acked_ns IS NULL;
