/**
 * Gates suites that need a real PostgreSQL or Redis. Without DATABASE_URL / REDIS_URL they are
 * skipped with a message saying why; with REQUIRE_SERVICES=1 (CI) a missing service fails instead.
 */
const required = process.env.REQUIRE_SERVICES === "1";

function gate(name: string, value: string | undefined): string | undefined {
  if (value) return value;
  if (required) throw new Error(`REQUIRE_SERVICES=1 but ${name} is not set: this suite needs it`);
  console.warn(`[skip] ${name} is not set: suites that need it are skipped (set it, or REQUIRE_SERVICES=1 to fail instead)`);
  return undefined;
}

export const postgresUrl = (): string | undefined => gate("DATABASE_URL", process.env.DATABASE_URL);
export const redisUrl = (): string | undefined => gate("REDIS_URL", process.env.REDIS_URL);
