import type { IncomingMessage, ServerResponse } from "node:http";
import { problem, statusOf, v1Body, type Problem } from "../errors.js";
import { CircuitBreaker } from "./breaker.js";
import type { GatewayDeps } from "./deps.js";
import { newExchange, type Exchange, type Stage } from "./exchange.js";
import { corsHeaders } from "./headers.js";
import type { Provider } from "./providers.js";
import { admit } from "./stages/admit.js";
import { authenticate } from "./stages/authenticate.js";
import { body } from "./stages/body.js";
import { cache } from "./stages/cache.js";
import { finish } from "./stages/finish.js";
import { forward } from "./stages/forward.js";
import { limits } from "./stages/limits.js";

export type { GatewayDeps } from "./deps.js";

/** The order of SPEC §4: nothing is read before the token is checked; a cache hit costs no rate or quota. */
const STAGES: Stage<GatewayDeps>[] = [admit, authenticate, body, cache, limits, forward];

export interface Gateway {
  /** The provider that serves this URL path, if any. */
  match(path: string): Provider | undefined;
  handle(req: IncomingMessage, res: ServerResponse, provider: Provider): Promise<void>;
  /** Resolves once every ended request has recorded its usage and published its event. */
  settled(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const byMount = [...deps.providers].sort((a, b) => b.mount.length - a.mount.length);
  // Usage and events of ended requests still being counted (the tokenizer is async): shutdown waits.
  const finishing = new Set<Promise<void>>();
  const breakers = new Map(deps.providers.map((p) => [p.name, new CircuitBreaker(deps.breaker.threshold, deps.breaker.cooldownMs)]));

  function match(path: string): Provider | undefined {
    for (const p of byMount) {
      const prefix = p.mount + "/v1";
      if (path === prefix || path.startsWith(prefix + "/") || path.startsWith(prefix + "?")) return p;
    }
    return undefined;
  }

  /** The one renderer of a refusal on `/v1`: `{error, code, description?}`. */
  function refuse(x: Exchange, p: Problem): void {
    x.status = statusOf(p.code);
    x.errorCode = p.code;
    deps.metrics.proxyErrors.inc({ code: p.code });
    if (x.res.headersSent) return void x.res.destroy();
    const text = v1Body(p);
    x.res.writeHead(x.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "x-request-id": x.requestId,
      ...corsHeaders(x.origin),
      ...p.headers,
    });
    x.res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, provider: Provider): Promise<void> {
    const x = newExchange(req, res, provider, breakers.get(provider.name) as CircuitBreaker);
    deps.metrics.inFlight.inc();
    try {
      for (const stage of STAGES) {
        let outcome = stage(x, deps);
        if (outcome instanceof Promise) outcome = await outcome;
        if (outcome === "continue") continue;
        if (outcome !== "answered") refuse(x, outcome);
        break;
      }
    } catch (err) {
      if (req.errored || res.destroyed) {
        // The client went away mid-request (an aborted upload): nothing to answer, nobody to blame upstream.
        x.errorCode = "canceled";
        x.status = 499;
      } else {
        deps.logger.error({ err, request_id: x.requestId }, "data plane failure");
        refuse(x, problem("internal_error"));
      }
    } finally {
      deps.metrics.inFlight.dec();
    }
    if (x.method !== "OPTIONS") finish(x, deps, finishing);
  }

  async function settled(): Promise<void> {
    while (finishing.size > 0) await Promise.allSettled([...finishing]);
  }

  return { match, handle, settled };
}
