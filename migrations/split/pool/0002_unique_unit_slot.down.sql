DROP INDEX uq_pool_slots_unit_slot;
