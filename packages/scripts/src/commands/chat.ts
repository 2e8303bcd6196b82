import type OpenAI from "openai";
import type { Command } from "../cli/command.js";
import { println, type Context } from "../cli/context.js";
import { UsageError, oneLine } from "../cli/errors.js";
import { apiUrl, apiUrlOption } from "../cli/manage-api.js";
import { Prompter } from "../cli/prompt.js";

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

export const chat: Command = {
  name: "chat",
  summary: "Chat through the proxy with a withering token (streaming by default). One line = one message.",
  options: {
    ...apiUrlOption,
    token: { type: "string", help: "withering token (env LLM_PROXY_TOKEN)" },
    model: { type: "string", help: "model (default gpt-4o-mini)" },
    system: { type: "string", help: "system prompt" },
    temperature: { type: "string", help: "sampling temperature, 0 … 2" },
    "max-tokens": { type: "string", help: "maximum tokens per answer" },
    "no-stream": { type: "boolean", help: "wait for whole answers instead of streaming" },
  },
  details: ["In the chat: /reset forgets the conversation, /exit (or Ctrl-D) ends it.", "example: echo 'Hello' | llm-proxy chat --token sk-…"],
  async run(args, ctx) {
    args.noMorePositionals(0);
    const token = args.string("token") ?? ctx.env.LLM_PROXY_TOKEN;
    if (!token) throw new UsageError("no token: pass --token or set LLM_PROXY_TOKEN (create one with: llm-proxy token create --project <id>)");
    const temperature = args.string("temperature") !== undefined ? Number(args.string("temperature")) : undefined;
    if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) throw new UsageError("--temperature: expected a number from 0 to 2");
    const { default: OpenAIClient } = await import("openai");
    const client = new OpenAIClient({ apiKey: token, baseURL: `${apiUrl(args, ctx)}/v1`, maxRetries: 0 });
    const request = {
      model: args.string("model") ?? "gpt-4o-mini",
      ...(temperature !== undefined ? { temperature } : {}),
      ...(args.string("max-tokens") !== undefined ? { max_tokens: args.int("max-tokens", { min: 1 }) } : {}),
    };
    const system = args.string("system");
    return converse(ctx, client, request, system, !args.flag("no-stream"));
  },
};

async function converse(ctx: Context, client: OpenAI, request: { model: string }, system: string | undefined, stream: boolean): Promise<number> {
  const initial: Message[] = system ? [{ role: "system", content: system }] : [];
  let history = [...initial];
  let failed = false;
  const prompter = new Prompter(ctx);
  prompter.say(`Chatting with ${request.model} through the proxy. /reset, /exit.`);
  try {
    for (;;) {
      const line = await prompter.line("> ");
      if (line === undefined || line.trim() === "/exit" || line.trim() === "/quit") break;
      if (line.trim() === "") continue;
      if (line.trim() === "/reset") {
        history = [...initial];
        prompter.say("(conversation reset)");
        continue;
      }
      history.push({ role: "user", content: line });
      try {
        const answer = await ask(ctx, client, { ...request, messages: history }, stream);
        history.push({ role: "assistant", content: answer });
      } catch (err) {
        history.pop();
        failed = true;
        println(ctx.stderr, `error: ${oneLine(err)}`);
      }
    }
  } finally {
    prompter.close();
  }
  return failed ? 1 : 0;
}

async function ask(ctx: Context, client: OpenAI, body: { model: string; messages: Message[] }, stream: boolean): Promise<string> {
  if (!stream) {
    const res = await client.chat.completions.create({ ...body, stream: false });
    const text = res.choices[0]?.message.content ?? "";
    println(ctx.stdout, text);
    return text;
  }
  let text = "";
  for await (const chunk of await client.chat.completions.create({ ...body, stream: true })) {
    const delta = chunk.choices[0]?.delta.content ?? "";
    text += delta;
    ctx.stdout.write(delta);
  }
  println(ctx.stdout);
  return text;
}
