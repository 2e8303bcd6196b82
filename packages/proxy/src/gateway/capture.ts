/**
 * What the proxy keeps of an upstream answer while it passes through to the client: the first
 * `cap` bytes for the event and the cache and, for streams, the last `tailCap` bytes for usage.
 * A plain recorder, not a stream: forward() writes each chunk to the client itself.
 */
const EMPTY = Buffer.alloc(0);

export class ResponseTee {
  readonly head: Buffer[] = [];
  headBytes = 0;
  truncated = false;
  tail: Buffer | undefined;
  firstByteAt = 0;
  bytes = 0;

  constructor(
    private readonly cap: number,
    private readonly tailCap: number,
  ) {}

  /** Records one chunk of the body as it passes. */
  push(chunk: Buffer): void {
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
  }

  /** The kept head as one Buffer (joined once: usage and the event both read it). */
  captured(): Buffer {
    if (this.head.length > 1) this.head.splice(0, this.head.length, Buffer.concat(this.head));
    return this.head[0] ?? EMPTY;
  }
}
