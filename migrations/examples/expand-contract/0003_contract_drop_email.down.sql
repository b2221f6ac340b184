-- The old column comes back from the new one: lower-cased and trimmed, not as first written.
ALTER TABLE customers ADD COLUMN email text;
UPDATE customers SET email = email_normalized;
ALTER TABLE customers ALTER COLUMN email SET NOT NULL;
CREATE FUNCTION customers_email_normalized() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.email_normalized := lower(trim(NEW.email));
	RETURN NEW;
END
$$;
CREATE TRIGGER customers_email_normalized BEFORE INSERT OR UPDATE OF email ON customers FOR EACH ROW EXECUTE FUNCTION customers_email_normalized();
