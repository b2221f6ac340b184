DROP TABLE pool_slots;
DROP TABLE units;
