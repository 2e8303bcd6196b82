import { Agent, request } from "undici";
import { SinkError } from "./sink.js";

/** One keep-alive pool per sink: ingest endpoints are few and hot. */
export function createAgent(): Agent {
  return new Agent({ connections: 16, keepAliveTimeout: 30_000 });
}

export type PostResult = { status: number; body: string };

/** POSTs a body; network failures are retryable SinkErrors, HTTP statuses are returned as they are. */
export async function post(agent: Agent, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  try {
    const res = await request(url, {
      method: "POST",
      dispatcher: agent,
      body,
      headers: { "content-type": "application/json", "user-agent": "llm-proxy-dispatcher", ...headers },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text.slice(0, 500) };
  } catch (error) {
    throw new SinkError(`POST ${new URL(url).host} failed: ${(error as Error).message}`, false);
  }
}

/** 2xx accepted; 408, 425, 429 and 5xx are worth retrying; any other 4xx will fail again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Throws the SinkError that a non-2xx status means for a whole-batch POST. */
export function assertAccepted(sink: string, result: PostResult): void {
  if (result.status >= 200 && result.status < 300) return;
  throw new SinkError(`${sink} answered ${result.status}: ${result.body}`, !isRetryableStatus(result.status));
}
