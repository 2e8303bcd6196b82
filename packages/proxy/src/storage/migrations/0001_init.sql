-- Schema of the original (inventory §12.1) with timestamptz and the SPEC §9 fixes.
CREATE TABLE projects (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  api_key        text NOT NULL,
  is_active      boolean NOT NULL DEFAULT true,
  deactivated_at timestamptz(3),
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT projects_name_unique UNIQUE (name)
);

CREATE TABLE tokens (
  id              uuid PRIMARY KEY,
  token           text NOT NULL,
  project_id      text NOT NULL REFERENCES projects (id),
  expires_at      timestamptz(3),
  is_active       boolean NOT NULL DEFAULT true,
  deactivated_at  timestamptz(3),
  request_count   bigint NOT NULL DEFAULT 0,
  max_requests    integer CHECK (max_requests IS NULL OR max_requests > 0),
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at    timestamptz(3),
  cache_hit_count bigint NOT NULL DEFAULT 0,
  CONSTRAINT tokens_token_unique UNIQUE (token)
);
CREATE INDEX idx_tokens_project_created ON tokens (project_id, created_at DESC);
CREATE INDEX idx_tokens_created ON tokens (created_at DESC);

CREATE TABLE audit_events (
  id             text PRIMARY KEY,
  "timestamp"    timestamptz(3) NOT NULL DEFAULT now(),
  action         text NOT NULL,
  actor          text NOT NULL,
  project_id     text,
  request_id     text,
  correlation_id text,
  client_ip      text,
  method         text,
  path           text,
  user_agent     text,
  outcome        text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied', 'error')),
  reason         text,
  token_id       text,
  metadata       jsonb
);
CREATE INDEX idx_audit_timestamp ON audit_events ("timestamp" DESC, id DESC);
CREATE INDEX idx_audit_action ON audit_events (action);
CREATE INDEX idx_audit_project ON audit_events (project_id);
CREATE INDEX idx_audit_client_ip ON audit_events (client_ip, action);
CREATE INDEX idx_audit_request_id ON audit_events (request_id);
CREATE INDEX idx_audit_outcome ON audit_events (outcome);
