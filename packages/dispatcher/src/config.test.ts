import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = { REDIS_URL: "redis://127.0.0.1:6379", DISPATCHER_FILE_PATH: "/tmp/x.jsonl" };

describe("config", () => {
  it("applies the original's defaults", () => {
    const c = loadConfig(base);
    expect(c.stream).toMatchObject({ key: "llm-proxy-events", group: "llm-proxy-dispatchers", batchSize: 100, blockMs: 5000, claimIdleMs: 30_000 });
    expect(c.stream.consumer).toMatch(/^dispatcher-file-.+-\d+$/);
    expect(c.sinks).toEqual(["file"]);
    expect(c.deadLetterKey).toBe("llm-proxy-events:dead-letter");
    expect(c.http).toEqual({ host: undefined, port: 9090 });
  });

  it("parses Go-style durations and DISPATCHER_ENDPOINT for a single sink", () => {
    const c = loadConfig({ REDIS_URL: "rediss://:pw@cache:6380", REDIS_STREAM_BLOCK_TIME: "250ms", REDIS_STREAM_CLAIM_TIME: "1m", DISPATCHER_SERVICE: "helicone", DISPATCHER_ENDPOINT: "http://127.0.0.1:1/log", LLM_PROXY_API_KEY: "k" });
    expect(c.stream.blockMs).toBe(250);
    expect(c.stream.claimIdleMs).toBe(60_000);
    expect(c.sinkSettings.helicone).toMatchObject({ url: "http://127.0.0.1:1/log", apiKey: "k" });
  });

  it("takes the SST Cache link first, as TLS", () => {
    const c = loadConfig({ ...base, SST_RESOURCE_Cache: JSON.stringify({ host: "master.x.cache.amazonaws.com", port: 6379, username: "default", password: "pw" }) });
    expect(c.redis).toEqual({ kind: "sst", host: "master.x.cache.amazonaws.com", port: 6379, username: "default", password: "pw" });
  });

  it("accepts several sinks, each with its own settings", () => {
    const c = loadConfig({ ...base, DISPATCHER_SERVICE: "file, webhook,stdout", DISPATCHER_WEBHOOK_URL: "http://127.0.0.1:1/", DISPATCHER_WEBHOOK_SECRET: "s" });
    expect(c.sinks).toEqual(["file", "webhook", "stdout"]);
    expect(Object.keys(c.sinkSettings).sort()).toEqual(["file", "stdout", "webhook"]);
  });

  it("lists every problem at once and refuses dead settings", () => {
    const attempt = () => loadConfig({ DISPATCHER_SERVICE: "file,kafka,webhook", DISPATCHER_BUFFER: "10", REDIS_STREAM_BLOCK_TIME: "soon" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/REDIS_STREAM_BLOCK_TIME/);
    try {
      loadConfig({ DISPATCHER_SERVICE: "file,kafka,webhook", DISPATCHER_BUFFER: "10" });
    } catch (error) {
      const message = (error as Error).message;
      for (const expected of ["DISPATCHER_BUFFER is not supported", "unknown sink(s) kafka", "DISPATCHER_FILE_PATH", "DISPATCHER_WEBHOOK_SECRET", "Redis is not configured"]) expect(message).toContain(expected);
    }
  });

  it("refuses the in-memory bus, which cannot cross processes", () => {
    expect(() => loadConfig({ ...base, LLM_PROXY_EVENT_BUS: "in-memory" })).toThrow(/redis-streams/);
  });
});
