-- Facts about the data itself, one row per name. `encryption_key_fingerprint` binds the data to
-- the ENCRYPTION_KEY it was encrypted with (a keyed HMAC, never the key): a start with another
-- key, or without one, is refused instead of answering 401 and 500 for every stored secret.
CREATE TABLE settings (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
