import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import type { Context } from "./context.js";

/**
 * Reads answers line by line from stdin: typed at a terminal (questions and echo on stderr,
 * secrets not echoed) or piped by a script or test (no questions printed). One reader per
 * command, because two readline interfaces on one stream lose buffered lines.
 */
export class Prompter {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private muted = false;

  constructor(private readonly ctx: Context) {
    const echo = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        if (!this.muted) ctx.stderr.write(chunk.toString());
        done();
      },
    });
    this.rl = createInterface({ input: ctx.stdin, output: ctx.interactive ? echo : undefined, terminal: ctx.interactive, prompt: "" });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /** The next line, or undefined at end of input. */
  async line(question?: string): Promise<string | undefined> {
    if (question !== undefined && this.ctx.interactive) this.ctx.stderr.write(question);
    const next = await this.lines.next();
    return next.done ? undefined : next.value;
  }

  /** Like line(), without echoing what is typed. */
  async secret(question: string): Promise<string | undefined> {
    if (this.ctx.interactive) this.ctx.stderr.write(question);
    this.muted = true;
    try {
      return await this.line();
    } finally {
      this.muted = false;
      if (this.ctx.interactive) this.ctx.stderr.write("\n");
    }
  }

  async confirm(question: string, fallback: boolean): Promise<boolean> {
    const answer = (await this.line(`${question} [${fallback ? "Y/n" : "y/N"}] `))?.trim().toLowerCase();
    if (answer === undefined || answer === "") return fallback;
    return answer === "y" || answer === "yes";
  }

  /** A note for the person at the terminal (stderr; nothing when input is piped). */
  say(text: string): void {
    if (this.ctx.interactive) this.ctx.stderr.write(`${text}\n`);
  }

  close(): void {
    this.rl.close();
  }
}
