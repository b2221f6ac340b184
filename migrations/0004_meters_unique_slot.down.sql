DROP INDEX meters_unit_kind_slot_key;
