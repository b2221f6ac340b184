-- The starting point: accounts and the meters installed in each unit.
CREATE TABLE users (
	id integer PRIMARY KEY,
	email text NOT NULL,
	role text NOT NULL CHECK (role IN ('admin', 'member')),
	created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE meters (
	id integer PRIMARY KEY,
	unit_id integer NOT NULL,
	kind text NOT NULL,
	slot integer NOT NULL,
	reading double precision
);
