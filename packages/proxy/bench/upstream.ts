import http from "node:http";
import { serve } from "./serve.js";

/**
 * The benchmark's fake OpenAI upstream: a fixed chat completion as JSON, or as a 10-chunk SSE
 * stream. Kept minimal so that it is never the bottleneck. Prints its port on stdout.
 */
const completion = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
});
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const sse = Array.from({ length: 10 }, (_, i) => chunk(`word${i} `)).join("") +
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 } })}\n\ndata: [DONE]\n\n`;

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.headers["x-bench-stream"] === "1" || (req.url ?? "").includes("stream=1")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.end(sse);
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(completion) });
    res.end(completion);
  });
});
serve(server);
