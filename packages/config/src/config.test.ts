import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  HONOURED_ORIGINAL_SETTINGS,
  IGNORED_ORIGINAL_SETTINGS,
  ORIGINAL_CLI_ONLY_SETTINGS,
  Problems,
  address,
  boolean,
  checkVariable,
  cleanEnv,
  duration,
  formatDuration,
  formatSize,
  hostPort,
  httpUrl,
  ignoredOriginalSettings,
  linkedDatabaseUrl,
  linkedRedisUrl,
  linkedSecret,
  loadDotenv,
  oneOf,
  parseAddress,
  parseDotenv,
  parseBoolean,
  parseDuration,
  parseSize,
  parseWholeNumber,
  readEnv,
  readSstLinks,
  redisFields,
  resolveRedisUrl,
  size,
  text,
  textOr,
  url,
  wholeNumber,
} from "./index.js";

describe("value forms", () => {
  it.each([
    ["250ms", 250], ["30s", 30_000], ["5m", 300_000], ["1h", 3_600_000], ["1h30m", 5_400_000], ["1.5h", 5_400_000], ["2m3.5s", 123_500],
    ["1500us", 2], ["1500µs", 2], ["900000ns", 1], [".5s", 500], ["45", 45_000], ["0.25", 250], ["0", 0], [" 30s ", 30_000],
  ])("duration %j is %d ms (a bare number is seconds)", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "-1s", "1d", "30 s", "s", "1h-5m", "1e3", "soon", "30S"])("duration %j is refused", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats durations the way they are written", () => {
    expect([0, 1, 500, 1000, 1500, 60_000, 600_000, 5_400_000].map(formatDuration)).toEqual(["0s", "1ms", "500ms", "1s", "1s500ms", "1m", "10m", "1h30m"]);
  });

  it.each([
    ["true", true], ["TRUE", true], ["True", true], ["t", true], ["T", true], ["1", true], ["yes", true], ["YES", true],
    ["false", false], ["FALSE", false], ["f", false], ["0", false], ["no", false], ["No", false],
  ])("boolean %j is %s", (text, value) => {
    expect(parseBoolean(text)).toBe(value);
  });

  it.each(["", "on", "off", "y", "2", "maybe"])("boolean %j is refused", (text) => {
    expect(parseBoolean(text)).toBeUndefined();
  });

  it.each([
    ["1048576", 1_048_576], ["0", 0], ["512B", 512], ["512KB", 524_288], ["512kb", 524_288], ["512KiB", 524_288], ["1k", 1024],
    ["10MB", 10_485_760], ["10 MiB", 10_485_760], ["10m", 10_485_760], ["1GB", 1_073_741_824], ["1GiB", 1_073_741_824], ["1.5KB", 1536],
  ])("size %j is %d bytes (KB = KiB = 1024)", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "-1", "1.5", "10TB", "MB", "ten", "1e6"])("size %j is refused", (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it("formats sizes in exact binary units only", () => {
    expect([1536, 1024, 1_048_576, 64 * 1_048_576, 1_073_741_824, 1000].map(formatSize)).toEqual(["1536", "1KiB", "1MiB", "64MiB", "1GiB", "1000"]);
  });

  it.each([
    [":8080", { host: "0.0.0.0", port: 8080 }], ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }], ["localhost:65535", { host: "localhost", port: 65535 }],
    ["[::1]:9090", { host: "::1", port: 9090 }], ["[::]:80", { host: "::", port: 80 }], ["proxy.internal:8081", { host: "proxy.internal", port: 8081 }],
  ])("address %j", (text, value) => {
    expect(parseAddress(text)).toEqual(value);
  });

  it.each(["8080", ":", ":65536", "::1:8080", "host:", "host:port", "http://host:80", "a b:1"])("address %j is refused", (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });

  it("whole numbers are digits only", () => {
    expect(["0", "42", " 7 "].map(parseWholeNumber)).toEqual([0, 42, 7]);
    expect(["-1", "1.5", "1e3", "", "0x10", "99999999999999999999"].map(parseWholeNumber)).toEqual(Array(6).fill(undefined));
  });
});

describe("fields: every message names the accepted forms", () => {
  const schema = z.object({
    D: duration(5000),
    D_RANGE: duration(5000, { min: 1000, max: 600_000 }),
    D_MAX: duration(5000, { max: 60_000 }),
    S: size(1024, { min: 1024 }),
    S_RANGE: size(1024, { min: 1024, max: 1_073_741_824 }),
    B: boolean(true),
    N: wholeNumber(10, { min: 1, max: 1000 }),
    N_MIN: wholeNumber(10, { min: 1 }),
    N_ANY: wholeNumber(10),
    A: address(),
    A_DEFAULT: address({ host: "0.0.0.0", port: 9090 }),
    HP: hostPort(),
    E: oneOf(["json", "console"], "json"),
    U: url(["postgres", "postgresql"]),
    H: httpUrl("http://localhost:8080"),
    T: text(16),
    T_DEFAULT: textOr("llm-proxy:"),
  });
  const message = (name: string, value: string) => checkVariable(schema, name, value);

  it("applies defaults when unset or blank", () => {
    const e = readEnv(schema, { D: "", B: "  ", A: "" });
    expect(e).toEqual({ D: 5000, D_RANGE: 5000, D_MAX: 5000, S: 1024, S_RANGE: 1024, B: true, N: 10, N_MIN: 10, N_ANY: 10, A: undefined, A_DEFAULT: { host: "0.0.0.0", port: 9090 }, HP: undefined, E: "json", U: undefined, H: "http://localhost:8080", T: undefined, T_DEFAULT: "llm-proxy:" });
  });

  it("reads set values, trimmed", () => {
    const e = readEnv(schema, { D: " 1m ", S: "2KB", B: "No", N: "7", A: ":81", HP: "[::1]:6379", E: "CONSOLE", U: "postgresql://db/x", H: "https://x.example", T: "s".repeat(16) });
    expect(e).toMatchObject({ D: 60_000, S: 2048, B: false, N: 7, A: { host: "0.0.0.0", port: 81 }, HP: "[::1]:6379", E: "console", U: "postgresql://db/x", H: "https://x.example", T: "s".repeat(16) });
  });

  it.each([
    ["D", "soon", 'D: expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds), got "soon"'],
    ["D_RANGE", "500ms", 'D_RANGE: expected a duration from 1s to 10m, got "500ms"'],
    ["D_RANGE", "5000", 'D_RANGE: expected a duration from 1s to 10m, got "5000" (a bare number is seconds)'],
    ["D_MAX", "2m", 'D_MAX: expected a duration of at most 1m, got "2m"'],
    ["S", "big", 'S: expected a size such as 1048576, 512KB, 10MB or 1GiB (a bare number is bytes; KB = KiB = 1024 bytes), got "big"'],
    ["S", "512", 'S: expected a size of at least 1KiB, got "512"'],
    ["S_RANGE", "2GB", 'S_RANGE: expected a size from 1KiB to 1GiB, got "2GB"'],
    ["B", "on", 'B: expected true or false (also 1/0, t/f, yes/no, in any case), got "on"'],
    ["N", "0", 'N: expected a whole number from 1 to 1000, got "0"'],
    ["N_MIN", "0", 'N_MIN: expected a whole number of at least 1, got "0"'],
    ["N_ANY", "1.5", 'N_ANY: expected a whole number, got "1.5"'],
    ["A", "8080", 'A: expected "host:port", "[ipv6]:port" or ":port" (every interface), got "8080"'],
    ["HP", ":6379", 'HP: expected "host:port"'],
    ["E", "text", 'E: expected one of "json", "console", got "text"'],
    ["U", "mysql://user:secret@db/x", "U: expected a postgres:// or postgresql:// URL"],
    ["H", "ftp://x", "H: expected an http(s) URL"],
    ["T", "short-secret", "T: expected at least 16 characters"],
    ["NOPE", "x", "NOPE: not a setting of this service"],
  ])("%s=%j: %s", (name, value, expected) => {
    expect(message(name, value)).toBe(expected);
  });

  it("never echoes URLs or free text, which may hold secrets", () => {
    expect(message("U", "mysql://user:secret@db/x")).not.toContain("secret");
    expect(message("T", "short-secret")).not.toContain("short-secret");
  });

  it("checkVariable accepts what the service accepts", () => {
    expect([message("D", "30s"), message("B", "TRUE"), message("S", "10MB"), message("D", "")]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("readEnv throws one ConfigError listing every problem, earlier ones first", () => {
    const problems = new Problems();
    problems.add("SST_RESOURCE_Cache", "expected JSON (an SST link)");
    expect(() => readEnv(schema, { D: "soon", B: "maybe" }, problems)).toThrow(
      new ConfigError(['SST_RESOURCE_Cache: expected JSON (an SST link)', 'D: expected a duration such as 30s, 5m, 1h30m or 250ms (a bare number is seconds), got "soon"', 'B: expected true or false (also 1/0, t/f, yes/no, in any case), got "maybe"'].join("\n")),
    );
  });

  it("cleanEnv trims and drops blank values", () => {
    expect(cleanEnv({ A: " x ", B: "", C: "  ", D: undefined })).toEqual({ A: "x" });
  });
});

describe("SST links", () => {
  const links = (env: Record<string, string>) => {
    const problems = new Problems();
    return { links: readSstLinks(env, problems), problems };
  };

  it("parses every SST_RESOURCE_* as JSON, naming one that is not", () => {
    const { problems } = links({ SST_RESOURCE_Database: "{", SST_RESOURCE_App: '{"name":"llm-proxy"}', OTHER: "{" });
    expect(() => problems.throwIfAny()).toThrow(new ConfigError("SST_RESOURCE_Database: expected JSON (an SST link)"));
  });

  it("builds the database URL with encoded credentials", () => {
    const { links: l, problems } = links({ SST_RESOURCE_Database: JSON.stringify({ host: "aurora.example", port: 5432, username: "u", password: "p@ss", database: "llm" }) });
    expect(linkedDatabaseUrl(l, problems)).toBe("postgres://u:p%40ss@aurora.example:5432/llm");
    expect(problems.count).toBe(0);
  });

  it("makes the Cache link TLS unless its host is loopback", () => {
    const cache = (host: string) => {
      const { links: l, problems } = links({ SST_RESOURCE_Cache: JSON.stringify({ host, port: "6379", username: "default", password: "pw" }) });
      return linkedRedisUrl(l, problems);
    };
    expect(cache("master.x.cache.amazonaws.com")).toBe("rediss://default:pw@master.x.cache.amazonaws.com:6379");
    expect(cache("localhost")).toBe("redis://default:pw@localhost:6379");
    // A local `dev` Redis may link null credentials and port.
    const { links: l, problems } = links({ SST_RESOURCE_Cache: JSON.stringify({ host: "127.0.0.1", port: null, username: null, password: null }) });
    expect([linkedRedisUrl(l, problems), problems.count]).toEqual(["redis://127.0.0.1:6379", 0]);
  });

  it("reads a secret's value; an unset secret (\"\") counts as absent; a malformed link is named", () => {
    const { links: l, problems } = links({ SST_RESOURCE_A: '{"value":" a "}', SST_RESOURCE_B: '{"value":""}', SST_RESOURCE_C: '{"v":1}', SST_RESOURCE_Cache: '{"port":1}' });
    expect([linkedSecret(l, "A", problems), linkedSecret(l, "B", problems), linkedSecret(l, "Missing", problems)]).toEqual(["a", undefined, undefined]);
    expect(linkedSecret(l, "C", problems)).toBeUndefined();
    expect(linkedRedisUrl(l, problems)).toBeUndefined();
    expect(() => problems.throwIfAny()).toThrow(
      new ConfigError(["SST_RESOURCE_C: expected SST link JSON with value (Invalid input: expected string, received undefined)", "SST_RESOURCE_Cache: expected SST link JSON with host (Invalid input: expected string, received undefined)"].join("\n")),
    );
  });
});

describe("the Redis settings both services read", () => {
  const schema = z.object(redisFields);
  const resolve = (env: Record<string, string>, linked?: string) => {
    const problems = new Problems();
    const url = resolveRedisUrl(linked, readEnv(schema, env, problems), problems);
    problems.throwIfAny();
    return url;
  };

  it("takes the link, then REDIS_URL, then REDIS_CACHE_URL, then REDIS_ADDR + REDIS_DB, joining REDIS_PASSWORD", () => {
    expect(resolve({ REDIS_URL: "redis://a:6379" }, "rediss://link:6379")).toBe("rediss://link:6379");
    expect(resolve({ REDIS_URL: "redis://a:6379", REDIS_CACHE_URL: "redis://b:6379" })).toBe("redis://a:6379");
    expect(resolve({ REDIS_CACHE_URL: "rediss://b:6379", REDIS_ADDR: "c:6379" })).toBe("rediss://b:6379");
    expect(resolve({ REDIS_ADDR: "c:6379", REDIS_DB: "2", REDIS_PASSWORD: "p w" })).toBe("redis://default:p%20w@c:6379/2");
    expect(resolve({})).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: "http://x" }, "REDIS_URL: expected a redis:// or rediss:// URL"],
    [{ REDIS_CACHE_URL: "x:6379" }, "REDIS_CACHE_URL: expected a redis:// or rediss:// URL"],
    [{ REDIS_ADDR: "redis://x:6379" }, 'REDIS_ADDR: expected "host:port"'],
    [{ REDIS_DB: "16" }, 'REDIS_DB: expected a whole number from 0 to 15, got "16"'],
  ])("refuses %j", (env, expected) => {
    expect(() => resolve(env)).toThrow(new ConfigError(expected));
  });
});

describe(".env text", () => {
  it("reads assignments, export, comments and both quote styles; later lines win", () => {
    const text = [
      "# a comment",
      "",
      "A=plain value  # trailing comment",
      "export B=exported",
      "C='single # kept $HOME'",
      'D="line\\none \\"quoted\\" \\\\ # kept"',
      "E=",
      "F=a#b",
      "not an assignment",
      "A=again",
      "G = spaced ",
      "H=https://x.example/#frag",
    ].join("\n");
    expect(parseDotenv(text)).toEqual({ A: "again", B: "exported", C: "single # kept $HOME", D: 'line\none "quoted" \\ # kept', E: "", F: "a#b", G: "spaced", H: "https://x.example/#frag" });
  });

  it("reads CRLF files", () => {
    expect(parseDotenv("A=1\r\nB='2'\r\n")).toEqual({ A: "1", B: "2" });
  });
});

describe("the .env file at start", () => {
  it("reads the original's inline comments, blank values and quotes", () => {
    expect(parseDotenv("LOG_FILE=./data/llm-proxy.log # empty: stdout\nREDIS_CONSUMER_NAME=        # generated\nPREFIX=ratelimit:  # key prefix\nHASH=a#b\nQ='x # y'\n")).toEqual({
      LOG_FILE: "./data/llm-proxy.log",
      REDIS_CONSUMER_NAME: "",
      PREFIX: "ratelimit:",
      HASH: "a#b",
      Q: "x # y",
    });
  });

  it("puts the process environment over the file, a blank process value included, and names what it cannot read", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-dotenv-"));
    try {
      writeFileSync(join(dir, ".env"), "A=file\nB=file\nC=file\n");
      expect(loadDotenv({ B: "process", C: "", D: undefined }, dir)).toEqual({ env: { A: "file", B: "process", C: "" }, file: join(dir, ".env") });
      expect(loadDotenv({ LLM_PROXY_DOTENV: "FALSE" }, dir).file).toBeUndefined();
      expect(() => loadDotenv({ ENV: "nope.env" }, dir)).toThrow(ConfigError);
      expect(loadDotenv({}, join(dir, "no-such-dir")).file).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names only the original's inapplicable settings that are set, with a reason each", () => {
    expect(ignoredOriginalSettings({ ENABLE_TLS: "false", PORT: " ", MODEL: "gpt-4o", LISTEN_ADDR: ":8080" }).map((s) => s.name)).toEqual(["ENABLE_TLS"]);
    expect(Object.keys(HONOURED_ORIGINAL_SETTINGS).filter((n) => n in IGNORED_ORIGINAL_SETTINGS || ORIGINAL_CLI_ONLY_SETTINGS.includes(n))).toEqual([]);
  });
});
