-- Office users: contact details, a permission per dashboard module (none / view / edit) and which
-- vehicles they see on the map, in lists and over the socket.
-- The users that exist already (the first admin) keep everything: full edit and every vehicle.
ALTER TABLE users
  ADD COLUMN phone        text,
  ADD COLUMN title        text,
  ADD COLUMN permissions  jsonb NOT NULL
    DEFAULT '{"map":"edit","customers":"edit","schedule":"edit","estimates":"edit","invoices":"edit","timesheets":"edit","reports":"edit","settings":"edit"}',
  -- true: every vehicle, present and future; false: only user_vehicles and the members of user_vehicle_groups.
  ADD COLUMN all_vehicles boolean NOT NULL DEFAULT true;
-- From now on a user gets what is chosen for them; a module left out means no access.
ALTER TABLE users ALTER COLUMN permissions SET DEFAULT '{}';

CREATE TABLE vehicle_groups (
  id         serial PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX vehicle_groups_name ON vehicle_groups (lower(name));

CREATE TABLE vehicle_group_members (
  group_id   integer NOT NULL REFERENCES vehicle_groups (id) ON DELETE CASCADE,
  vehicle_id integer NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, vehicle_id)
);
CREATE INDEX vehicle_group_members_vehicle ON vehicle_group_members (vehicle_id);

-- A restricted user's chosen vehicles and groups; deleting a vehicle or group drops it from every choice.
CREATE TABLE user_vehicles (
  user_id    integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  vehicle_id integer NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, vehicle_id)
);

CREATE TABLE user_vehicle_groups (
  user_id  integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  group_id integer NOT NULL REFERENCES vehicle_groups (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, group_id)
);
