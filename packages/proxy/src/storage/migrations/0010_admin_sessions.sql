-- Signed-in admin UI sessions, so that signing out (or rotating the management token) ends a
-- session on every instance. The id is the SHA-256 of the session id sealed in the cookie.
CREATE TABLE admin_sessions (
  id          text PRIMARY KEY,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_admin_sessions_expires ON admin_sessions (expires_at);
