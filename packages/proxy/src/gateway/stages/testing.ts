import { IncomingMessage, ServerResponse, type IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { CircuitBreaker } from "../breaker.js";
import { newExchange } from "../exchange.js";
import { defaultProviders, parseProviders, type Provider } from "../providers.js";

/** A socket stand-in that keeps what the response wrote, so a stage runs without a server. */
class Wire extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    done();
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A real IncomingMessage and ServerResponse pair over an in-memory wire, with the exchange built as the handler does. */
export function exchange(init: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string | Buffer; provider?: Provider } = {}) {
  const wire = new Wire();
  const req = new IncomingMessage(wire as unknown as Socket);
  req.method = init.method ?? "POST";
  req.url = init.url ?? "/v1/chat/completions";
  req.headers = { ...init.headers };
  if (init.body !== undefined) {
    req.push(Buffer.from(init.body));
    req.push(null);
  }
  const res = new ServerResponse(req);
  res.assignSocket(wire as unknown as Socket);
  // As node:http's server does once a response finished (resOnFinish): 'close' follows 'finish'.
  res.once("finish", () => setImmediate(() => res.emit("close")));
  const x = newExchange(req, res, init.provider ?? defaultProvider(), new CircuitBreaker(5, 30_000));
  /** What the client received, parsed from the bytes on the wire. */
  const answer = (): Answer => {
    const raw = Buffer.concat(wire.written).toString("utf8");
    const [head = "", ...rest] = raw.split("\r\n\r\n");
    const [statusLine = "", ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
  };
  return { x, answer, wire };
}

const DEFAULTS = { headersTimeoutMs: 5_000, streamIdleTimeoutMs: 5_000 };

/** The built-in OpenAI provider, as the proxy loads it with no providers file. */
export function defaultProvider(origin = "http://127.0.0.1:9"): Provider {
  return defaultProviders(origin, DEFAULTS)[0] as Provider;
}

/** The providers of a YAML file in the original's `api_providers.yaml` schema. */
export function providersFrom(yaml: string): Provider[] {
  return parseProviders(yaml, "test.yaml", DEFAULTS);
}

/** A providers file with one OpenAI-style provider and the YAML lines of `extra` under it. */
export const providersYaml = (extra = "") => `
default_api: openai
apis:
  openai:
    base_url: https://api.openai.com
    allowed_endpoints: [/v1/chat/completions]
    allowed_methods: [POST]
${extra}`;
