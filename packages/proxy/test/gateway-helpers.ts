import http from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { startStack, type Stack, type StorageKind } from "./harness.js";

export async function seedToken(s: Stack, opts: { apiKey?: string; maxRequests?: number; name?: string } = {}) {
  const name = opts.name ?? `p-${Math.random().toString(36).slice(2)}`;
  const apiKey = opts.apiKey ?? `sk-upstream-${name}-0123456789`;
  const project = (await (await s.manage("/manage/projects", { json: { name, api_key: apiKey } })).json()) as { id: string };
  const token = (await (
    await s.manage("/manage/tokens", { json: { project_id: project.id, duration_minutes: 60, ...(opts.maxRequests ? { max_requests: opts.maxRequests } : {}) } })
  ).json()) as { id: string; token: string };
  return { projectId: project.id, apiKey, tokenId: token.id, secret: token.token };
}

export function client(s: Stack, secret: string, prefix = ""): OpenAI {
  return new OpenAI({ apiKey: secret, baseURL: `${s.apiUrl}${prefix}/v1`, maxRetries: 0, timeout: 20_000 });
}

export async function raw(s: Stack, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const { token, json, ...rest } = init;
  const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${s.apiUrl}${path}`, { ...rest, headers, ...(json !== undefined ? { method: rest.method ?? "POST", body: JSON.stringify(json) } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * A raw POST to /v1/chat/completions that declares `length` bytes of body and sends none: the test
 * writes (or not) the body by hand, and may go away half-way. `response` settles if one comes.
 */
export function openUpload(s: Stack, secret: string, contentType: string, length: number) {
  const url = new URL(s.apiUrl);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method: "POST",
    path: "/v1/chat/completions",
    headers: { authorization: `Bearer ${secret}`, "content-type": contentType, "content-length": String(length) },
  });
  req.on("error", () => {});
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
  });
  // A test that never awaits the answer (it aborts the upload) must not see an unhandled rejection.
  response.catch(() => {});
  return { req, response };
}

export interface GatewaySuite {
  fake: FakeUpstream;
  s: Stack;
  t: Awaited<ReturnType<typeof seedToken>>;
}

/**
 * For a suite: the fake upstream, a stack (embedded database unless asked) in front of it and one
 * token, started before the suite's tests and closed after them. Read the fields inside tests.
 */
export function gatewaySuite(env: Record<string, string> = {}, kind: StorageKind = "embedded"): GatewaySuite {
  const suite = {} as GatewaySuite;
  beforeAll(async () => {
    suite.fake = await startFakeUpstream();
    suite.s = await startStack(kind, { OPENAI_API_URL: suite.fake.url, ...env });
    suite.t = await seedToken(suite.s);
  });
  afterAll(async () => {
    await suite.s?.close();
    await suite.fake?.close();
  });
  return suite;
}
