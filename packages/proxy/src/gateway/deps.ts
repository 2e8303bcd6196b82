import type { ClientIpResolver } from "../api/client-ip.js";
import type { DeniedRequest } from "../audit/record.js";
import type { EventBus } from "../bus/port.js";
import type { StoreOptions } from "../cache/policy.js";
import type { ResponseCacheStore } from "../cache/port.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { RateLimiter } from "../ratelimit/port.js";
import type { Charge } from "../usage/charge.js";
import type { UsageRecorder } from "../usage/recorder.js";
import type { SpendLedger } from "../usage/spend.js";
import type { Access } from "./access.js";
import type { Upstreams } from "./forward.js";
import type { Provider } from "./providers.js";

export type { DeniedRequest } from "../audit/record.js";

/** What the gateway's stages need, built by the composition root. */
export interface GatewayDeps {
  providers: Provider[];
  access: Pick<Access, "token" | "project" | "consume">;
  upstreams: Pick<Upstreams, "forward">;
  usage: Pick<UsageRecorder, "record">;
  /** Live spend of budgeted tokens and projects, for the budget check. */
  spend: Pick<SpendLedger, "tokenSpent" | "projectSpent" | "now">;
  /** Prices a request's usage and counts it in the spend metrics. */
  charge: Charge;
  bus: Pick<EventBus, "publish">;
  metrics: Metrics;
  logger: Logger;
  /** The client-IP rule (TRUSTED_PROXIES) for audit rows. */
  clientIp: ClientIpResolver;
  /** Writes the `proxy_request` audit row for refused requests to inactive projects. */
  auditDenied(row: DeniedRequest): Promise<void>;
  maxBodyBytes: number;
  enforceProjectActive: boolean;
  observability: boolean;
  breaker: { threshold: number; cooldownMs: number };
  limiter: RateLimiter;
  rateLimit: { defaultRpm: number; failMode: "open" | "closed" };
  /** The HTTP response cache, when enabled. */
  cache: CacheDeps | undefined;
}

export interface CacheDeps {
  store: ResponseCacheStore;
  shared: boolean;
  policy: StoreOptions;
}
