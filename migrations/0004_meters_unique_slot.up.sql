-- cutover: allow index-not-concurrent because the demo's meters table holds a handful of rows
CREATE UNIQUE INDEX meters_unit_kind_slot_key ON meters (unit_id, kind, slot);
