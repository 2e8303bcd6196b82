import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { estimateTokens } from "@llm-proxy/events/usage";
import type { TokenizeJob, TokenizeReply, TokenizeRequest } from "./tokenizer-worker.js";

/**
 * Bytes and jobs waiting for the worker at most: past either, a count is estimated from its size
 * (bytes / 4) instead, so a burst of large bodies never queues unbounded memory (a single body
 * over MAX_QUEUED_BYTES is always estimated).
 */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const MAX_QUEUED_JOBS = 256;

interface Pending {
  resolve: (tokens: number) => void;
  /** The answer when the worker cannot give one (it failed, or closeTokenizer() ended it). */
  fallback: number;
  worker: Worker;
  bytes: number;
}

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let queuedBytes = 0;
let nextId = 1;

/**
 * Sources (vitest, tsx) load the .ts file beside this one through tsx's tsImport (Node 20 applies
 * no `--import` loader to a worker's entry); the compiled build has it as its own entry,
 * dist/tokenizer-worker.js, beside the chunk holding this code.
 */
function spawn(): Worker {
  if (!import.meta.url.endsWith(".ts")) return watch(new Worker(new URL("./tokenizer-worker.js", import.meta.url)));
  const entry = new URL("./tokenizer-worker.ts", import.meta.url).href;
  // tsx/esm/api's "import" build: createRequire resolves the CommonJS one, which cannot be imported.
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json").replace(/package\.json$/, "dist/esm/api/index.mjs")).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}));`;
  return watch(new Worker(code, { eval: true }));
}

function watch(w: Worker): Worker {
  w.unref();
  w.on("message", (reply: TokenizeReply) => {
    const job = pending.get(reply.id);
    if (!job) return;
    forget(reply.id, job);
    if (![...pending.values()].some((p) => p.worker === w)) w.unref();
    job.resolve("tokens" in reply ? reply.tokens : job.fallback);
  });
  const fail = () => {
    if (worker === w) worker = undefined;
    settle(w);
  };
  w.on("error", fail);
  w.on("exit", fail);
  return w;
}

/** Answers the counts waiting for `w` with their estimates. */
function settle(w: Worker): void {
  for (const [id, job] of pending) {
    if (job.worker !== w) continue;
    forget(id, job);
    job.resolve(job.fallback);
  }
}

function forget(id: number, job: Pending): void {
  pending.delete(id);
  queuedBytes -= job.bytes;
}

function run(job: TokenizeRequest, inputBytes: number): Promise<number> {
  const fallback = estimateTokens(inputBytes);
  if (queuedBytes + inputBytes > MAX_QUEUED_BYTES || pending.size >= MAX_QUEUED_JOBS) return Promise.resolve(fallback);
  try {
    worker ??= spawn();
  } catch {
    return Promise.resolve(fallback);
  }
  const w = worker;
  const id = nextId++;
  // Held only while a count is under way: a shutdown awaiting one finishes it; an idle worker
  // never keeps the process alive.
  w.ref();
  return new Promise((resolve) => {
    pending.set(id, { resolve, fallback, worker: w, bytes: inputBytes });
    queuedBytes += inputBytes;
    w.postMessage({ ...job, id } satisfies TokenizeJob, job.kind === "prompt" ? [job.body.buffer] : []);
  });
}

/**
 * Tokenizer fallback for responses that carry no `usage`: o200k_base, the encoding of every
 * current OpenAI chat model. Counts are estimates (no per-message framing tokens), made in a
 * worker thread so that a large body never stalls the event loop; texts past MAX_TOKENIZED_CHARS
 * are extrapolated from their start; past MAX_QUEUED_BYTES waiting, bodies are estimated from their size.
 */
export function countPromptTokens(body: Buffer): Promise<number> {
  // A copy of just these bytes, transferred: cloning the Buffer would copy its whole backing
  // ArrayBuffer (a pooled slab, or the larger buffer it is a view of), and the caller keeps it.
  return run({ kind: "prompt", body: new Uint8Array(body) }, body.length);
}

export function countCompletionTokens(body: string, streaming: boolean): Promise<number> {
  // String length bounds the UTF-8 size within 3x: exact bytes would walk a large body here.
  return run({ kind: "completion", text: body, streaming }, body.length);
}

/** Ends the tokenizer worker (shutdown); counts still waiting get their size estimate. The next count starts a new one. */
export async function closeTokenizer(): Promise<void> {
  const w = worker;
  if (!w) return;
  worker = undefined;
  settle(w);
  await w.terminate();
}
