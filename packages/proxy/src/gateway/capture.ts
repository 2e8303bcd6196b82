import { Writable } from "node:stream";
import type { ServerResponse } from "node:http";

/**
 * Writes upstream body chunks straight to the client (respecting backpressure) while keeping
 * the first `cap` bytes for the event and, for streams, the last `tailCap` bytes for usage.
 */
export class ResponseTee extends Writable {
  readonly head: Buffer[] = [];
  headBytes = 0;
  truncated = false;
  tail: Buffer | undefined;
  firstByteAt = 0;
  bytes = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly cap: number,
    private readonly tailCap: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.bytes === 0) this.firstByteAt = performance.now();
    this.bytes += chunk.length;
    if (this.headBytes < this.cap) {
      const room = this.cap - this.headBytes;
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.head.push(part);
      this.headBytes += part.length;
      if (part.length < chunk.length) this.truncated = true;
    } else {
      this.truncated = true;
    }
    if (this.tailCap > 0 && this.truncated) {
      const joined = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
      this.tail = joined.length > this.tailCap ? joined.subarray(joined.length - this.tailCap) : joined;
    }
    if (this.res.write(chunk)) done();
    else this.res.once("drain", () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.res.end(done);
  }

  captured(): Buffer {
    return this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head);
  }
}
