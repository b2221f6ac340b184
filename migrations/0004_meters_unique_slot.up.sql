CREATE UNIQUE INDEX meters_unit_kind_slot_key ON meters (unit_id, kind, slot);
