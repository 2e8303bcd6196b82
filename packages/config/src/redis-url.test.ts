import { describe, expect, it } from "vitest";
import { cacheLinkUrl, isLoopbackHost, withRedisPassword } from "./redis-url.js";

describe("the shared Redis URL rule", () => {
  it("treats only localhost, 127.0.0.0/8 and ::1 as loopback", () => {
    for (const host of ["localhost", "LOCALHOST", "127.0.0.1", "127.9.8.7", "::1", "[::1]"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["127.example.com", "10.0.0.1", "master.cache.amazonaws.com", "::2", "localhost.evil"]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("makes a Cache link TLS unless it is loopback, with its credentials encoded", () => {
    expect(cacheLinkUrl({ host: "master.x.cache.amazonaws.com", port: 6379, username: "default", password: "p@ss/w:rd" })).toBe("rediss://default:p%40ss%2Fw%3Ard@master.x.cache.amazonaws.com:6379");
    expect(cacheLinkUrl({ host: "127.0.0.1", port: "6380" })).toBe("redis://127.0.0.1:6380");
    expect(cacheLinkUrl({ host: "::1" })).toBe("redis://[::1]:6379");
  });

  it("joins a password, keeping a named user and defaulting to `default`", () => {
    expect(withRedisPassword("rediss://cache:6379", "x y")).toBe("rediss://default:x%20y@cache:6379");
    expect(withRedisPassword("redis://app@127.0.0.1:6379/2", "pw")).toBe("redis://app:pw@127.0.0.1:6379/2");
    expect(withRedisPassword("redis://127.0.0.1:6379", undefined)).toBe("redis://127.0.0.1:6379");
  });
});
