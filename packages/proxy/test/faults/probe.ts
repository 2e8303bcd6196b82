import type { Stack } from "../harness.js";

/** The data plane's in-flight gauge, read from the Prometheus endpoint. */
export async function inFlight(s: Stack): Promise<number> {
  const text = await (await fetch(`${s.apiUrl}/metrics/prometheus`)).text();
  const m = /^llm_proxy_in_flight_requests (\d+)/m.exec(text);
  if (!m) throw new Error("no llm_proxy_in_flight_requests in /metrics/prometheus");
  return Number(m[1]);
}

/** Reads a response body to the end; `cut` when the connection broke before it ended. */
export async function readAll(res: Response): Promise<{ text: string; cut: boolean }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, cut: false };
      text += dec.decode(value, { stream: true });
    }
  } catch {
    return { text, cut: true };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
