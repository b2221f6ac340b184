-- cutover: allow index-not-concurrent because the split's pool_slots table holds a handful of rows
CREATE UNIQUE INDEX uq_pool_slots_unit_slot ON pool_slots (unit_id, slot);
