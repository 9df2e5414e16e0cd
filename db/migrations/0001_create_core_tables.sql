CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE users (
  id            serial PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  name          text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_sessions (
  token_hash text PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

CREATE TABLE devices (
  imei          text PRIMARY KEY,
  protocol      text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz,
  -- The live state survives restarts: the newest fix (never an older, buffered one) and its summary.
  last_fix_time timestamptz,
  last_position jsonb,
  last_status   text NOT NULL DEFAULT 'never'
);

CREATE TABLE vehicles (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  device_imei text UNIQUE REFERENCES devices (imei) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE positions (
  imei               text NOT NULL,
  fix_time           timestamptz NOT NULL,
  received_at        timestamptz NOT NULL,
  buffered           boolean NOT NULL,
  valid              boolean NOT NULL,
  latitude           double precision,
  longitude          double precision,
  speed_kmh          real,
  course             real,
  altitude           real,
  satellites         smallint,
  hdop               real,
  ignition           boolean,
  motion             boolean,
  external_voltage_v real,
  battery_voltage_v  real,
  battery_level_pct  real,
  odometer_km        double precision,
  engine_hours_h     double precision,
  gsm_signal         smallint,
  events             text[] NOT NULL DEFAULT '{}',
  io                 jsonb NOT NULL DEFAULT '{}',
  -- The natural key makes a device's retries idempotent.
  PRIMARY KEY (imei, fix_time)
);
SELECT create_hypertable('positions', 'fix_time', chunk_time_interval => INTERVAL '1 day');

-- Events are keyed by device, time and type, so a retried or same-second record never loses one.
CREATE TABLE events (
  imei      text NOT NULL,
  time      timestamptz NOT NULL,
  type      text NOT NULL,
  buffered  boolean NOT NULL,
  latitude  double precision,
  longitude double precision,
  PRIMARY KEY (imei, time, type)
);
SELECT create_hypertable('events', 'time', chunk_time_interval => INTERVAL '7 days');

-- Compress only chunks older than the devices' buffering horizon: buffered history lands in old chunks.
ALTER TABLE positions SET (timescaledb.compress, timescaledb.compress_segmentby = 'imei', timescaledb.compress_orderby = 'fix_time DESC');
SELECT add_compression_policy('positions', INTERVAL '14 days');
ALTER TABLE events SET (timescaledb.compress, timescaledb.compress_segmentby = 'imei', timescaledb.compress_orderby = 'time DESC');
SELECT add_compression_policy('events', INTERVAL '14 days');
