import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/**
 * Which peers may tell us the client's address (`TRUSTED_PROXIES`): nobody (the socket address
 * counts), the last `hops` proxies in front of us (`1` behind one load balancer), or any peer
 * inside the listed CIDRs.
 */
export type TrustedProxies = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "cidrs"; list: BlockList; text: string };

/** The request facts the client IP is computed from. */
export interface PeerInfo {
  socket: string | undefined;
  forwardedFor: string | string[] | undefined;
  realIp: string | string[] | undefined;
}

export type ClientIpResolver = (peer: PeerInfo) => string | undefined;

/** The peer facts of a Node request (the data plane has no Hono context). */
export function peerOfRequest(req: IncomingMessage): PeerInfo {
  return { socket: req.socket.remoteAddress, forwardedFor: req.headers["x-forwarded-for"], realIp: req.headers["x-real-ip"] };
}

/** Parses `TRUSTED_PROXIES`: empty or `none`, a hop count, or comma-separated IPs/CIDRs; throws a readable message. */
export function parseTrustedProxies(text: string | undefined): TrustedProxies {
  const v = (text ?? "").trim();
  if (v === "" || v === "none" || v === "0") return { kind: "none" };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new Error("expected a hop count from 0 to 10, or comma-separated CIDRs");
    return { kind: "hops", hops };
  }
  const list = new BlockList();
  for (const item of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [addr = "", prefix] = item.split("/");
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (family === 0 || bits < 0 || bits > max) throw new Error(`"${item}" is not an IP address or CIDR (expected e.g. 10.0.0.0/8 or a hop count such as 1)`);
    list.addSubnet(addr, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return { kind: "cidrs", list, text: v };
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) counts as `10.0.0.1`; anything else unchanged. */
function normalize(addr: string): string {
  const a = addr.trim();
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(",") : v);

function trusted(t: TrustedProxies, addr: string): boolean {
  if (t.kind !== "cidrs") return false;
  const family = isIP(addr);
  return family !== 0 && t.list.check(addr, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The one client-IP rule: walk the chain (forwarded entries, then the socket peer) from the
 * right, past the proxies we trust, and take the first address we do not. A forged
 * `X-Forwarded-For` only adds entries to the left of what a trusted proxy appended, so it is
 * never reached. A malformed entry stops the walk at the last trustworthy address.
 */
export function clientIpResolver(t: TrustedProxies): ClientIpResolver {
  return function clientIpOf(peer) {
    const socket = peer.socket === undefined ? undefined : normalize(peer.socket);
    if (t.kind === "none" || socket === undefined) return socket;
    const forwarded = (header(peer.forwardedFor) ?? "").split(",").map(normalize).filter(Boolean);
    if (forwarded.length === 0) {
      const real = normalize(header(peer.realIp) ?? "");
      const believeReal = t.kind === "hops" ? t.hops > 0 : trusted(t, socket);
      return believeReal && isIP(real) ? real : socket;
    }
    const chain = [...forwarded, socket];
    let i = chain.length - 1;
    if (t.kind === "hops") i = Math.max(0, i - t.hops);
    else while (i > 0 && trusted(t, chain[i] ?? "")) i--;
    // Entries right of i were checked or written by trusted hops; a malformed one ends the walk.
    for (let j = chain.length - 1; j >= i; j--) if (isIP(chain[j] ?? "") === 0) return chain[j + 1] ?? socket;
    return chain[i];
  };
}
