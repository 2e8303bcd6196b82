import { describe, expect, it } from "vitest";
import { connectionTokens, downstreamHeaders, nowNanos, upstreamHeaders, isoTime } from "./headers.js";
import { parseProviders, type Provider } from "./providers.js";
import { providersYaml } from "./stages/testing.js";

const defaults = { headersTimeoutMs: 30_000, streamIdleTimeoutMs: 300_000 };
const ids = { requestId: "req-1", projectId: "proj-1", startNanos: "1700000000000000000" };

function provider(extra = ""): Provider {
  const [p] = parseProviders(providersYaml(extra), "providers.yaml", defaults);
  if (!p) throw new Error("no provider");
  return p;
}

describe("connectionTokens", () => {
  it("lists every name a Connection header carries, lowercased, across repeated headers", () => {
    expect([...connectionTokens("keep-alive, X-Secret ,,Upgrade")]).toEqual(["keep-alive", "x-secret", "upgrade"]);
    expect([...connectionTokens(["close", "X-A"])]).toEqual(["close", "x-a"]);
    expect(connectionTokens(undefined).size).toBe(0);
  });
});

describe("nowNanos", () => {
  it("is the unix time in nanoseconds, as 19 digits, and does not go back", () => {
    const before = Date.now();
    const a = nowNanos();
    const b = nowNanos();
    expect(a).toMatch(/^\d{19}$/);
    expect(BigInt(b) >= BigInt(a)).toBe(true);
    // Within a few milliseconds of the wall clock (the monotonic clock started with the process).
    expect(Math.abs(Number(BigInt(a) / 1_000_000n) - before)).toBeLessThan(50);
  });
});

describe("upstreamHeaders", () => {
  it("drops the headers the client's Connection header names, and never forwards Expect", () => {
    const out = upstreamHeaders(
      { connection: "keep-alive, X-Hop, X-Other", "x-hop": "1", "x-other": "2", "x-kept": "3", expect: "100-continue", "content-type": "application/json" },
      provider(),
      "sk-upstream",
      ids,
      12,
    );
    expect(out).not.toHaveProperty("x-hop");
    expect(out).not.toHaveProperty("x-other");
    expect(out).not.toHaveProperty("expect");
    expect(out).not.toHaveProperty("connection");
    expect(out).toMatchObject({ "x-kept": "3", "content-type": "application/json", "content-length": "12", authorization: "Bearer sk-upstream", "x-upstream-request-start": ids.startNanos });
  });

  it("a Connection header cannot remove what the proxy itself sets", () => {
    const out = upstreamHeaders({ connection: "authorization, x-request-id, content-length" }, provider(), "sk-upstream", ids, 5);
    expect(out).toMatchObject({ authorization: "Bearer sk-upstream", "x-request-id": "req-1", "content-length": "5" });
  });

  it("drops OpenAI-Organization and OpenAI-Project unless the provider forwards them", () => {
    const incoming = { "openai-organization": "org-client", "openai-project": "proj_client" };
    expect(upstreamHeaders(incoming, provider(), "k", ids, undefined)).not.toHaveProperty("openai-organization");
    expect(upstreamHeaders(incoming, provider(), "k", ids, undefined)).not.toHaveProperty("openai-project");
    const forwarding = provider("    forward_headers: [OpenAI-Organization]");
    const out = upstreamHeaders(incoming, forwarding, "k", ids, undefined);
    expect(out["openai-organization"]).toBe("org-client");
    expect(out).not.toHaveProperty("openai-project");
  });

  it("default_headers set a billing header the client may not choose", () => {
    const p = provider('    default_headers: { OpenAI-Organization: org-house }');
    expect(upstreamHeaders({ "openai-organization": "org-client" }, p, "k", ids, undefined)["openai-organization"]).toBe("org-house");
    const both = provider('    default_headers: { OpenAI-Organization: org-house }\n    forward_headers: [openai-organization]');
    expect(upstreamHeaders({ "openai-organization": "org-client" }, both, "k", ids, undefined)["openai-organization"]).toBe("org-client");
    expect(upstreamHeaders({}, both, "k", ids, undefined)["openai-organization"]).toBe("org-house");
  });
});

describe("downstreamHeaders", () => {
  it("drops the headers the upstream's Connection header names", () => {
    const out = downstreamHeaders({ connection: "close, X-Upstream-Hop", "x-upstream-hop": "1", "content-type": "application/json", "keep-alive": "timeout=5" });
    expect(out).toEqual({ "content-type": "application/json" });
  });
});

describe("isoTime", () => {
  it("is the ISO time of the millisecond asked, whichever was asked before", () => {
    const times = [0, 1, 999, 1000, 1_700_000_000_123, 1_700_000_000_123, 1_700_000_000_124, 1_700_000_001_000, 1_700_000_000_999, 1_700_000_002_005, 1_700_000_000_050, 253_402_300_799_999];
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    // Outside 0000–9999 (and fractions) it is the Date's own form.
    for (const ms of [-1, 253_402_300_800_000, 1.5]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
