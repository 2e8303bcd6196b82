-- Per-token requests-per-minute override; NULL = the configured default (RATE_LIMIT_RPM), 0 = no limit.
ALTER TABLE tokens ADD COLUMN rate_limit_rpm integer CHECK (rate_limit_rpm IS NULL OR rate_limit_rpm >= 0);
