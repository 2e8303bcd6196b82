import { parentPort } from "node:worker_threads";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { completionTexts, countWithin, promptTexts, streamCompletionTexts } from "@llm-proxy/events/usage";

/**
 * The tokenizer thread (count.ts starts it): parses bodies and counts tokens off the event loop.
 * A separate build entry (scripts/build.mjs), loaded as dist/tokenizer-worker.js.
 */
export type TokenizeRequest = { kind: "prompt"; body: Uint8Array<ArrayBuffer> } | { kind: "completion"; text: string; streaming: boolean };
export type TokenizeJob = TokenizeRequest & { id: number };
export type TokenizeReply = { id: number; tokens: number } | { id: number; error: string };

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The shared usage rule (`@llm-proxy/events/usage`), as the dispatcher applies it too. */
function count(job: TokenizeJob): number {
  if (job.kind === "prompt") return countWithin(promptTexts(parse(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString("utf8"))), countTokens);
  return countWithin(job.streaming ? streamCompletionTexts(job.text) : completionTexts(parse(job.text)), countTokens);
}

parentPort?.on("message", (job: TokenizeJob) => {
  let reply: TokenizeReply;
  try {
    reply = { id: job.id, tokens: count(job) };
  } catch (err) {
    reply = { id: job.id, error: String(err) };
  }
  parentPort?.postMessage(reply);
});
