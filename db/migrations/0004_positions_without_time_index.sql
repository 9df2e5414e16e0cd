-- Every query reads positions by device and time, which the primary key (imei, fix_time) serves; the
-- time index create_hypertable adds by default only slowed inserts (10-15 % on the embedded database).
-- Chunks are still found by time through their constraints.
DROP INDEX IF EXISTS positions_fix_time_idx;

-- Each batch rewrites the state row of every device that reported: room on each page lets Postgres
-- update them in place (HOT: no new index entry), the way devices are written thousands of times a day.
ALTER TABLE devices SET (fillfactor = 50);
