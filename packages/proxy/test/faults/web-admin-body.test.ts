import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../harness.js";

const LIMIT = 65_536;
const CHUNK = Buffer.alloc(65_536, "a");
/** The client gives up after this much: a server that buffers everything never answers before it. */
const GIVE_UP = 32 * 1_048_576;

function roomOrAnswer(socket: net.Socket): Promise<void> {
  const events = ["drain", "data", "close"];
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) socket.off(e, done);
      resolve();
    };
    for (const e of events) socket.once(e, done);
  });
}

/**
 * POSTs a body to the admin listener over a raw socket, one chunk at a time, until the server
 * answers; returns the status line and how much of the body had been sent by then.
 */
async function postUntilAnswered(base: string, path: string, framing: "content-length" | "chunked") {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  socket.on("error", () => {});
  let answer = "";
  socket.on("data", (b: Buffer) => (answer += b.toString("latin1")));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const length = framing === "content-length" ? "Content-Length: 314572800" : "Transfer-Encoding: chunked";
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\n${length}\r\n\r\n`);
  let sent = 0;
  while (answer === "" && !socket.destroyed && sent < GIVE_UP) {
    const frame = framing === "chunked" ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from("\r\n")]) : CHUNK;
    // A full send buffer waits for room, or for the answer (a server that answered stops reading).
    if (!socket.write(frame)) await roomOrAnswer(socket);
    sent += CHUNK.length;
    // Give the server a moment to answer between chunks, as a slow uploader would.
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 0; i < 100 && answer === "" && !socket.destroyed; i++) await new Promise((r) => setTimeout(r, 50));
  socket.destroy();
  await closed;
  return { status: answer.split("\r\n")[0], sent };
}

describe("admin UI body limit", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack("embedded", { MANAGEMENT_MAX_BODY_BYTES: String(LIMIT) });
  }, 120_000);
  afterAll(() => s?.close());

  it.each(["content-length", "chunked"] as const)("answers a huge sign-in POST (%s) with 413 long before the body is sent", { timeout: 120_000 }, async (framing) => {
    const rssBefore = process.memoryUsage().rss;
    const { status, sent } = await postUntilAnswered(s.adminUrl ?? "", "/auth/login", framing);
    expect(status).toBe("HTTP/1.1 413 Payload Too Large");
    expect(sent).toBeLessThan(4 * 1_048_576);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1_048_576);
  });

  it("still accepts ordinary forms under the limit", async () => {
    const res = await fetch(`${s.adminUrl ?? ""}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "management_token=x&_csrf=y",
      redirect: "manual",
    });
    expect(res.status).toBe(403);
  });
});
