-- Vehicles carry their counters: an office user sets the current mileage and engine hours, the
-- processor accumulates from there (device counters when reported, else distance and ignition time).
ALTER TABLE vehicles
  ADD COLUMN odometer_km    double precision NOT NULL DEFAULT 0,
  ADD COLUMN engine_hours_h double precision NOT NULL DEFAULT 0,
  ADD COLUMN counters_set_at timestamptz;

-- The processor's per-device tracking state beyond the live position (alert state machines,
-- counter baselines, idle and trip bookkeeping), persisted with every committed batch.
ALTER TABLE devices ADD COLUMN tracking jsonb NOT NULL DEFAULT '{}';

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
INSERT INTO settings (key, value) VALUES ('customerRadiusMi', '0.05');

CREATE TABLE customers (
  id         serial PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_locations (
  id          serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  name        text NOT NULL DEFAULT '',
  address     text NOT NULL DEFAULT '',
  latitude    double precision NOT NULL,
  longitude   double precision NOT NULL
);
CREATE INDEX service_locations_lat_lon ON service_locations (latitude, longitude);

-- Every detected alert, whether or not a rule notifies anyone: the history is complete.
CREATE TABLE alerts (
  id              bigserial PRIMARY KEY,
  type            text NOT NULL,
  imei            text NOT NULL,
  vehicle_id      integer REFERENCES vehicles (id) ON DELETE SET NULL,
  time            timestamptz NOT NULL,
  latitude        double precision,
  longitude       double precision,
  -- Raised from buffered history, i.e. later than it happened.
  delayed         boolean NOT NULL DEFAULT false,
  details         jsonb NOT NULL DEFAULT '{}',
  -- Service locations within the Customer Radius when the alert was raised.
  places          jsonb NOT NULL DEFAULT '[]',
  raised_at       timestamptz NOT NULL DEFAULT now(),
  cleared_at      timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by integer REFERENCES users (id) ON DELETE SET NULL,
  -- A device's retry re-evaluates the same record: the same alert is stored once.
  UNIQUE (imei, type, time)
);
CREATE INDEX alerts_time ON alerts (time DESC);
CREATE INDEX alerts_vehicle_time ON alerts (vehicle_id, time DESC);

CREATE TABLE alert_rules (
  id          serial PRIMARY KEY,
  description text NOT NULL,
  type        text NOT NULL,
  -- Harsh-driving rules: notify only alerts at or above this force (g); null = every alert of the type.
  threshold_g real,
  emails      text[] NOT NULL DEFAULT '{}',
  phones      text[] NOT NULL DEFAULT '{}',
  -- Users whose live alerts window shows it; empty = everyone who can see the vehicle.
  user_ids    integer[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_rule_vehicles (
  rule_id    integer NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  vehicle_id integer NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, vehicle_id)
);
