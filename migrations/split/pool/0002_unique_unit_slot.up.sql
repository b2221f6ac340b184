CREATE UNIQUE INDEX uq_pool_slots_unit_slot ON pool_slots (unit_id, slot);
