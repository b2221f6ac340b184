-- Add status in three safe steps: nullable column, backfill, then the constraint.
ALTER TABLE users ADD COLUMN status text;
UPDATE users SET status = 'active' WHERE status IS NULL;
-- cutover: allow set-not-null because the demo's users table holds a handful of rows: the scan is instant
ALTER TABLE users ALTER COLUMN status SET NOT NULL;
-- cutover: allow index-not-concurrent because the demo's users table holds a handful of rows
CREATE INDEX users_status_idx ON users (status);
