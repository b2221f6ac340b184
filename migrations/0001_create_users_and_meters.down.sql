DROP TABLE meters;
DROP TABLE users;
