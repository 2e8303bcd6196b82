import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Set when the client side (the proxy) closed the connection before the response ended. */
  aborted: boolean;
}

export type Override = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => boolean | Promise<boolean>;

export interface FakeUpstream {
  url: string;
  seen: SeenRequest[];
  /** Requests whose head has arrived, their body perhaps still coming (`seen` waits for the body). */
  arrived: number;
  /** Handles a request first when it returns true. */
  override: Override | undefined;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function completion(model: string, content: string) {
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  };
}

/**
 * A real HTTP server on 127.0.0.1 that answers like the OpenAI API: chat completions (JSON and
 * SSE, with `x-fake-chunk-delay-ms` between chunks), embeddings, models and Responses.
 */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const fake: FakeUpstream = { url: "", seen: [], arrived: 0, override: undefined, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    fake.arrived++;
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      // The proxy gave up mid-body (its client left): recorded as aborted, not an unhandled rejection.
      fake.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), aborted: true });
      return;
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const seen: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, aborted: false };
    fake.seen.push(seen);
    res.once("close", () => {
      if (!res.writableFinished) seen.aborted = true;
    });
    if (fake.override && (await fake.override(req, res, body))) return;
    const json = (status: number, obj: unknown) => {
      const text = JSON.stringify(obj);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const model = String(parsed.model ?? "gpt-4o-mini");
    const delay = Number(req.headers["x-fake-chunk-delay-ms"] ?? 0);
    const path = (req.url ?? "").split("?")[0];

    if (req.method === "GET" && path?.endsWith("/v1/models")) {
      return json(200, { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 1, owned_by: "fake" }] });
    }
    if (req.method === "POST" && path?.endsWith("/v1/embeddings")) {
      const vector = [0.1, 0.2, 0.3];
      const embedding = parsed.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
      return json(200, { object: "list", data: [{ object: "embedding", index: 0, embedding }], model, usage: { prompt_tokens: 3, total_tokens: 3 } });
    }
    if (req.method === "POST" && path?.endsWith("/v1/chat/completions")) {
      if (!parsed.stream) return json(200, completion(model, "Hello from the fake upstream"));
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const words = ["Hello", " from", " the", " fake", " stream"];
      for (const [i, w] of words.entries()) {
        if (res.destroyed) return;
        const chunk = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: w } : { content: w }, finish_reason: null }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        if (delay) await sleep(delay);
      }
      res.write(`data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
      const opts = parsed.stream_options as { include_usage?: boolean } | undefined;
      if (opts?.include_usage) {
        res.write(`data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } })}\n\n`);
      }
      res.end("data: [DONE]\n\n");
      return;
    }
    if (req.method === "POST" && path?.endsWith("/v1/responses")) {
      const response = {
        id: "resp_fake", object: "response", created_at: 1, status: "completed", model,
        output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Hi from responses", annotations: [] }] }],
        usage: { input_tokens: 4, output_tokens: 3, total_tokens: 7 },
      };
      if (!parsed.stream) return json(200, response);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", delta: "Hi from responses", output_index: 0, content_index: 0, item_id: "msg_1", sequence_number: 1 })}\n\n`);
      res.end(`event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", response, sequence_number: 2 })}\n\n`);
      return;
    }
    json(404, { error: { message: `fake upstream has no ${req.method} ${path}` } });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
