import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, describe, expect, it } from "vitest";
import { countWithin, promptTexts } from "@llm-proxy/events/usage";
import { closeTokenizer, countCompletionTokens, countPromptTokens } from "./count.js";

afterAll(() => closeTokenizer());

const chat = (content: string) => Buffer.from(JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }] }));

/** The longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    // One more tick: a stall at the very end shows too.
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe("tokenizer fallback", () => {
  it("counts a prompt's instructions, prompt, input and message contents", async () => {
    expect(await countPromptTokens(chat("Hello there, how are you?"))).toBe(countTokens("Be brief.") + countTokens("Hello there, how are you?"));
    expect(await countPromptTokens(Buffer.from(JSON.stringify({ instructions: "Answer.", input: "Hi" })))).toBe(countTokens("Answer.") + countTokens("Hi"));
    expect(await countPromptTokens(Buffer.from("not json"))).toBe(0);
  });

  it("counts the completion of a JSON answer and of an SSE stream", async () => {
    const json = JSON.stringify({ choices: [{ message: { content: "Hello from the model" } }] });
    expect(await countCompletionTokens(json, false)).toBe(countTokens("Hello from the model"));
    const chunks = ["Hello", " from", " the", " stream"].map((c) => `data: ${JSON.stringify({ choices: [{ delta: { content: c } }] })}\n\n`);
    expect(await countCompletionTokens(`${chunks.join("")}data: [DONE]\n\n`, true)).toBe(countTokens("Hello from the stream"));
    expect(await countCompletionTokens("{", false)).toBe(0);
  });

  it("counts many requests at once, each getting its own answer", async () => {
    const texts = Array.from({ length: 50 }, (_, i) => "token ".repeat(i + 1));
    const counts = await Promise.all(texts.map((t) => countPromptTokens(chat(t))));
    expect(counts).toEqual(texts.map((t) => countTokens("Be brief.") + countTokens(t)));
  });

  // Issue 13.4: a 4.5 MB prompt with no upstream usage stalled the event loop for 258 ms.
  it("leaves the event loop responsive while counting a 4.5 MB prompt", async () => {
    const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "{", "}", "42", "模型"];
    let content = "";
    for (let i = 0; content.length < 4.5 * 1024 * 1024; i++) content += `${words[(i * 7) % words.length]} `;
    const body = chat(content);
    let tokens = 0;
    const stall = await longestStall(async () => {
      tokens = await countPromptTokens(body);
    });
    expect(tokens).toBeGreaterThan(500_000);
    // The same count on the loop, as it was done before, in the same run: a ratio holds on a busy
    // machine where a fixed number of milliseconds does not (only copying the body stays on the loop).
    const inline = await longestStall(async () => countWithin(promptTexts(JSON.parse(body.toString("utf8"))), countTokens));
    expect(stall).toBeLessThan(inline / 4);
  });

  it("estimates a burst past the queue's byte budget from its size instead of queueing it", async () => {
    const body = chat("word ".repeat(4 * 1024 * 1024)); // ~20 MiB: four fit in 64 MiB
    const counts = await Promise.all(Array.from({ length: 6 }, () => countPromptTokens(body)));
    const estimate = Math.ceil(body.length / 4);
    expect(counts.filter((n) => n === estimate).length).toBeGreaterThanOrEqual(2);
    expect(counts.filter((n) => n !== estimate).every((n) => Math.abs(n - 4 * 1024 * 1024) < 1000)).toBe(true);
  });

  it("closeTokenizer() ends the worker, answers what was waiting, and a later count starts a new one", async () => {
    const waiting = countPromptTokens(chat("word ".repeat(200_000)));
    await closeTokenizer();
    expect(await waiting).toBeGreaterThan(0);
    expect(await countPromptTokens(chat("again"))).toBe(countTokens("Be brief.") + countTokens("again"));
  });

  it("an idle worker never keeps the process alive", () => {
    const tsx = createRequire(import.meta.url).resolve("tsx");
    const count = fileURLToPath(new URL("./count.ts", import.meta.url));
    const script = `import { countPromptTokens } from ${JSON.stringify(count)};
      console.log(await countPromptTokens(Buffer.from(JSON.stringify({ prompt: "hello world" }))));`;
    // No closeTokenizer(): the process must still exit by itself once the count is done.
    const out = execFileSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(Number(out.trim())).toBe(countTokens("hello world"));
  });
});
