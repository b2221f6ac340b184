-- Add status in three safe steps: nullable column, backfill, then the constraint.
-- SQLite cannot ALTER COLUMN … SET NOT NULL: rebuild the table with the constraint instead
-- (https://www.sqlite.org/lang_altertable.html#otheralter).
ALTER TABLE users ADD COLUMN status text;
UPDATE users SET status = 'active' WHERE status IS NULL;
CREATE TABLE users_rebuilt (
	id integer PRIMARY KEY,
	email text NOT NULL,
	role text NOT NULL CHECK (role IN ('admin', 'member')),
	created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
	status text NOT NULL
);
INSERT INTO users_rebuilt (id, email, role, created_at, status)
	SELECT id, email, role, created_at, status FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_status_idx ON users (status);
