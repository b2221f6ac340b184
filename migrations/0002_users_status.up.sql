-- Add status in three safe steps: nullable column, backfill, then the constraint.
ALTER TABLE users ADD COLUMN status text;
UPDATE users SET status = 'active' WHERE status IS NULL;
ALTER TABLE users ALTER COLUMN status SET NOT NULL;
CREATE INDEX users_status_idx ON users (status);
