-- Token accounting: per-token totals and an hourly rollup per project and model.
ALTER TABLE tokens ADD COLUMN prompt_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN completion_tokens bigint NOT NULL DEFAULT 0;

CREATE TABLE usage_hourly (
  project_id        text NOT NULL REFERENCES projects (id),
  model             text NOT NULL DEFAULT '',
  hour              timestamptz NOT NULL,
  requests          bigint NOT NULL DEFAULT 0,
  errors            bigint NOT NULL DEFAULT 0,
  cache_hits        bigint NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, hour, model)
);
CREATE INDEX idx_usage_hour ON usage_hourly (hour);
