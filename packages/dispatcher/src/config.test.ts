import { describe, expect, it } from "vitest";
import { HONOURED_ORIGINAL_SETTINGS } from "@llm-proxy/config";
import { ConfigError, DISPATCHER_VARIABLES, loadConfig } from "./config.js";

const base = { REDIS_URL: "redis://127.0.0.1:6379", DISPATCHER_SERVICE: "file", DISPATCHER_FILE_PATH: "/tmp/x.jsonl" };

describe("config", () => {
  it("starts with nothing but Redis: the stdout sink needs no setting", () => {
    const c = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" });
    expect(c.sinks).toEqual(["stdout"]);
    expect(c.stream.consumer).toMatch(/^dispatcher-stdout-.+-\d+$/);
    expect(c.deadLetterMaxLen).toBe(10_000);
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", DISPATCHER_SERVICE: " " }).sinks).toEqual(["stdout"]);
  });

  it("applies the original's defaults", () => {
    const c = loadConfig(base);
    expect(c.stream).toMatchObject({ key: "llm-proxy-events", group: "llm-proxy-dispatchers", batchSize: 100, blockMs: 5000, claimIdleMs: 30_000 });
    expect(c.stream.consumer).toMatch(/^dispatcher-file-.+-\d+$/);
    expect(c.sinks).toEqual(["file"]);
    expect(c.deadLetterKey).toBe("llm-proxy-events:dead-letter");
    expect(c.http).toEqual({ host: "0.0.0.0", port: 9090 });
  });

  it("parses Go-style durations and DISPATCHER_ENDPOINT for a single sink", () => {
    const c = loadConfig({ REDIS_URL: "rediss://:pw@cache:6380", REDIS_STREAM_BLOCK_TIME: "250ms", REDIS_STREAM_CLAIM_TIME: "1m", DISPATCHER_SERVICE: "helicone", DISPATCHER_ENDPOINT: "http://127.0.0.1:1/log", LLM_PROXY_API_KEY: "k" });
    expect(c.stream.blockMs).toBe(250);
    expect(c.stream.claimIdleMs).toBe(60_000);
    expect(c.sinkSettings.helicone).toMatchObject({ url: "http://127.0.0.1:1/log", apiKey: "k" });
  });

  it("takes the SST Cache link first, as TLS unless its host is loopback", () => {
    const link = (host: string) => JSON.stringify({ host, port: 6379, username: "default", password: "p@ss" });
    expect(loadConfig({ ...base, SST_RESOURCE_Cache: link("master.x.cache.amazonaws.com") }).redisUrl).toBe("rediss://default:p%40ss@master.x.cache.amazonaws.com:6379");
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1"]) expect(loadConfig({ ...base, SST_RESOURCE_Cache: link(host) }).redisUrl).toMatch(/^redis:\/\//);
    expect(() => loadConfig({ ...base, SST_RESOURCE_Cache: "{host" })).toThrow(/SST_RESOURCE_Cache: expected JSON \(an SST link\)/);
  });

  it("joins REDIS_PASSWORD into the Redis URL, user default unless the URL names one", () => {
    expect(loadConfig({ ...base, REDIS_URL: "rediss://cache.internal:6379", REDIS_PASSWORD: "s3cr/t" }).redisUrl).toBe("rediss://default:s3cr%2Ft@cache.internal:6379");
    expect(loadConfig({ ...base, REDIS_URL: "redis://app@127.0.0.1:6379/2", REDIS_PASSWORD: "pw" }).redisUrl).toBe("redis://app:pw@127.0.0.1:6379/2");
    expect(loadConfig({ ...base, SST_RESOURCE_Cache: JSON.stringify({ host: "cache.internal", port: 6379 }), REDIS_PASSWORD: "pw" }).redisUrl).toBe("rediss://default:pw@cache.internal:6379");
  });

  it("reads sink secrets as plain variables or from SST link JSON, the link first", () => {
    const env = { REDIS_URL: "redis://127.0.0.1:6379", DISPATCHER_SERVICE: "lunary,helicone,webhook", DISPATCHER_WEBHOOK_URL: "http://127.0.0.1:1/", LLM_PROXY_API_KEY: "plain-key", DISPATCHER_WEBHOOK_SECRET: "plain-secret" };
    const plain = loadConfig(env).sinkSettings;
    expect([plain.lunary?.apiKey, plain.helicone?.apiKey, plain.webhook?.secret]).toEqual(["plain-key", "plain-key", "plain-secret"]);
    const linked = loadConfig({
      ...env,
      SST_RESOURCE_LunaryApiKey: JSON.stringify({ value: "lunary-link" }),
      // An unset SST secret links as "": the plain variable still counts.
      SST_RESOURCE_HeliconeApiKey: JSON.stringify({ value: "" }),
      SST_RESOURCE_DispatcherWebhookSecret: JSON.stringify({ value: "webhook-link" }),
    }).sinkSettings;
    expect([linked.lunary?.apiKey, linked.helicone?.apiKey, linked.webhook?.secret]).toEqual(["lunary-link", "plain-key", "webhook-link"]);
    const { LLM_PROXY_API_KEY: _, ...withoutKey } = env;
    expect(() => loadConfig({ ...withoutKey, SST_RESOURCE_LunaryApiKey: JSON.stringify({ value: "k" }) })).toThrow(/helicone sink: set LLM_PROXY_API_KEY/);
  });

  it("accepts several sinks, each with its own settings", () => {
    const c = loadConfig({ ...base, DISPATCHER_SERVICE: "file, webhook,stdout", DISPATCHER_WEBHOOK_URL: "http://127.0.0.1:1/", DISPATCHER_WEBHOOK_SECRET: "s" });
    expect(c.sinks).toEqual(["file", "webhook", "stdout"]);
    expect(Object.keys(c.sinkSettings).sort()).toEqual(["file", "stdout", "webhook"]);
  });

  it("lists every problem at once", () => {
    const attempt = () => loadConfig({ DISPATCHER_SERVICE: "file,kafka,webhook", DISPATCHER_BUFFER: "10", REDIS_STREAM_BLOCK_TIME: "soon" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/REDIS_STREAM_BLOCK_TIME/);
    try {
      loadConfig({ DISPATCHER_SERVICE: "file,kafka,webhook", DISPATCHER_BUFFER: "10" });
    } catch (error) {
      const message = (error as Error).message;
      for (const expected of ["unknown sink(s) kafka", "DISPATCHER_FILE_PATH", "DISPATCHER_WEBHOOK_SECRET", "Redis is not configured"]) expect(message).toContain(expected);
    }
  });

  it("reads durations as the proxy does (a bare number is seconds) and refuses an old milliseconds value by its bound", () => {
    expect(loadConfig({ ...base, REDIS_STREAM_BLOCK_TIME: "2", DISPATCHER_RETRY_BASE: "0.5" })).toMatchObject({ stream: { blockMs: 2000 }, retry: { baseMs: 500 } });
    expect(() => loadConfig({ ...base, REDIS_STREAM_BLOCK_TIME: "5000" })).toThrow(new ConfigError('REDIS_STREAM_BLOCK_TIME: expected a duration from 1ms to 1m, got "5000" (a bare number is seconds)'));
    expect(() => loadConfig({ ...base, DISPATCHER_HTTP_TIMEOUT: "30000" })).toThrow(/^DISPATCHER_HTTP_TIMEOUT: expected a duration from 1ms to 10m/);
  });

  it("reads sizes and addresses in the shared forms", () => {
    expect(loadConfig({ ...base, DISPATCHER_FILE_MAX_BYTES: "10MB", DISPATCHER_HTTP_ADDR: "[::1]:9191" })).toMatchObject({ sinkSettings: { file: { maxBytes: 10 * 1024 * 1024 } }, http: { host: "::1", port: 9191 } });
  });

  it("refuses the in-memory bus, which cannot cross processes, and reads the original's \"redis\" as the stream", () => {
    expect(() => loadConfig({ ...base, LLM_PROXY_EVENT_BUS: "in-memory" })).toThrow(/redis-streams/);
    expect(loadConfig({ ...base, LLM_PROXY_EVENT_BUS: "redis" }).stream.key).toBe("llm-proxy-events");
  });

  it("names the original's settings that do not apply here instead of refusing them, and honours DEBUG=1", () => {
    const c = loadConfig({ ...base, DISPATCHER_BUFFER: "10", DISPATCHER_DETACH: "true", ENABLE_TLS: "false", CORS_MAX_AGE: "", DEBUG: "1" });
    expect(c.ignoredSettings.map((s) => s.name)).toEqual(["DISPATCHER_BUFFER", "DISPATCHER_DETACH", "ENABLE_TLS"]);
    expect(c.logLevel).toBe("debug");
    expect(loadConfig({ ...base, DEBUG: "express:*" }).logLevel).toBe("info");
  });

  it("reads every original setting the table says the dispatcher honours", () => {
    const honoured = Object.entries(HONOURED_ORIGINAL_SETTINGS).filter(([name, where]) => where.includes("dispatcher") && name !== "DEBUG").map(([name]) => name);
    expect(honoured.filter((name) => !DISPATCHER_VARIABLES.includes(name))).toEqual([]);
  });
});
