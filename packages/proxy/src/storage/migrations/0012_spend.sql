-- Spend and budgets, in nano-dollars (USD × 10^9): whole numbers, so sums never drift.
ALTER TABLE usage_hourly ADD COLUMN cost_nanos bigint NOT NULL DEFAULT 0;
-- A token's lifetime spend and optional lifetime budget.
ALTER TABLE tokens ADD COLUMN spend_nanos bigint NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN max_spend_nanos bigint CHECK (max_spend_nanos IS NULL OR max_spend_nanos >= 0);
-- A project's budget per UTC calendar month; its spend is the month's usage_hourly rows.
ALTER TABLE projects ADD COLUMN monthly_budget_nanos bigint CHECK (monthly_budget_nanos IS NULL OR monthly_budget_nanos >= 0);
