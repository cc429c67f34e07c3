-- Raised by an Idempotency-Key record written as the last statement of the request's own
-- transaction when the key already holds another request's record. An error, not an empty
-- result: the record and COMMIT leave in one round trip, and PostgreSQL answers a COMMIT after a
-- failed statement with ROLLBACK, so the request's change never commits under a taken key.
-- SQLSTATE CS409 is ours (core/http/idempotency-store.ts).
CREATE OR REPLACE FUNCTION idempotency_key_taken(p_scope text, p_key text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'Idempotency-Key % of % already has a record', p_key, p_scope USING ERRCODE = 'CS409';
END
$$;
