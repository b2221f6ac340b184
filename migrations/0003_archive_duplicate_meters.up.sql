-- Meters that repeat a (unit_id, kind, slot) already held by a lower id move to an archive
-- before 0004 makes that key unique. Nothing is deleted outright: every removed row is copied first.
CREATE TABLE meters_archive (
	id integer PRIMARY KEY,
	unit_id integer NOT NULL,
	kind text NOT NULL,
	slot integer NOT NULL,
	reading double precision,
	archived_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO meters_archive (id, unit_id, kind, slot, reading)
	SELECT m.id, m.unit_id, m.kind, m.slot, m.reading
	FROM meters m
	WHERE EXISTS (
		SELECT 1 FROM meters keep
		WHERE keep.unit_id = m.unit_id AND keep.kind = m.kind AND keep.slot = m.slot AND keep.id < m.id
	);

DELETE FROM meters WHERE id IN (SELECT id FROM meters_archive);
