-- The pool database after the split: units and their slots, no accounts.
CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE pool_slots (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units (id),
  slot INTEGER NOT NULL,
  owner_email TEXT
);
