-- Contract: run this only once every reader and writer uses email_normalized (0002 shipped, the
-- application switched and was deployed everywhere). Destructive: each address's original spelling
-- goes with the column; the backup taken before this run is the way back.
DROP TRIGGER customers_email_normalized ON customers;
DROP FUNCTION customers_email_normalized();
ALTER TABLE customers DROP COLUMN email;
