-- The users database after the split: accounts only; the pool's tables live in the pool database.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'user'
);
