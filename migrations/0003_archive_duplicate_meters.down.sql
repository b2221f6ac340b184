INSERT INTO meters (id, unit_id, kind, slot, reading)
	SELECT id, unit_id, kind, slot, reading FROM meters_archive;

DROP TABLE meters_archive;
