import { describe, expect, it } from "vitest";
import { clientIpResolver, parseTrustedProxies } from "./client-ip.js";

const ip = (trust: string | undefined, socket: string, forwardedFor?: string, realIp?: string) =>
  clientIpResolver(parseTrustedProxies(trust))({ socket, forwardedFor, realIp });

describe("client IP under TRUSTED_PROXIES", () => {
  it("believes no header by default: the socket address counts", () => {
    expect(ip(undefined, "203.0.113.9", "1.2.3.4", "5.6.7.8")).toBe("203.0.113.9");
    expect(ip("none", "::ffff:203.0.113.9", "1.2.3.4")).toBe("203.0.113.9");
  });

  it("with one hop takes the address the load balancer appended, not a forged one on the left", () => {
    expect(ip("1", "10.0.0.5", "198.51.100.7")).toBe("198.51.100.7");
    expect(ip("1", "10.0.0.5", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(ip("2", "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9")).toBe("198.51.100.7");
    expect(ip("1", "10.0.0.5")).toBe("10.0.0.5");
    expect(ip("1", "10.0.0.5", undefined, "198.51.100.7")).toBe("198.51.100.7");
  });

  it("with CIDRs walks past trusted proxies only, and ignores headers from untrusted peers", () => {
    const trust = "10.0.0.0/8, 192.168.1.1";
    expect(ip(trust, "10.0.0.5", "6.6.6.6, 198.51.100.7, 192.168.1.1")).toBe("198.51.100.7");
    expect(ip(trust, "203.0.113.9", "198.51.100.7")).toBe("203.0.113.9");
    expect(ip(trust, "203.0.113.9", undefined, "198.51.100.7")).toBe("203.0.113.9");
    expect(ip(trust, "::ffff:10.1.2.3", "198.51.100.7")).toBe("198.51.100.7");
    expect(ip("fd00::/8", "fd00::1", "2001:db8::7")).toBe("2001:db8::7");
  });

  it("stops at a malformed entry instead of believing it", () => {
    expect(ip("1", "10.0.0.5", "<script>")).toBe("10.0.0.5");
    expect(ip("10.0.0.0/8", "10.0.0.5", "x, 10.0.0.7")).toBe("10.0.0.7");
  });

  it("rejects settings that are neither a hop count nor CIDRs", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/not an IP address or CIDR/);
    expect(() => parseTrustedProxies("proxy.internal")).toThrow(/not an IP address or CIDR/);
    expect(() => parseTrustedProxies("99")).toThrow(/hop count/);
  });
});
