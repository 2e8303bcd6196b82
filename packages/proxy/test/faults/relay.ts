import net from "node:net";

/**
 * A loopback TCP relay to put between a process and a service (PostgreSQL, Redis, an upstream)
 * so a test can break the path the way networks break: add latency, stall traffic, cut open
 * connections, or refuse new ones. Each direction keeps its byte order; nothing is dropped
 * except by `cut`.
 */
export interface Relay {
  port: number;
  /** Latency added to every chunk, both ways (0 = none). */
  delay(ms: number): void;
  /** Holds all traffic (connections stay open) until `resume`. */
  pause(): void;
  resume(): void;
  /** Resets every open connection, both sides. */
  cut(): void;
  /** Stops listening (new connections are refused) and resets open ones; `accept` listens again. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /** Resets a connection when `match` returns true for a chunk its client sends (once matched, cleared). */
  cutWhen(match: ((chunk: Buffer) => boolean) | undefined): void;
  /** Open connection pairs. */
  connections(): number;
  close(): Promise<void>;
}

interface Queued {
  chunk: Buffer;
  at: number;
}

export async function startRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<Relay> {
  let delayMs = 0;
  let paused = false;
  const pumps = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  let cutMatch: ((chunk: Buffer) => boolean) | undefined;

  function pipe(src: net.Socket, dst: net.Socket): void {
    const queue: Queued[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      while (!paused && queue.length > 0 && !dst.destroyed) {
        const head = queue[0] as Queued;
        const wait = head.at - Date.now();
        if (wait > 0) {
          timer = setTimeout(pump, wait);
          return;
        }
        queue.shift();
        dst.write(head.chunk);
      }
      if (!paused && queue.length === 0 && src.readableEnded && !dst.destroyed) {
        pumps.delete(pump);
        dst.end();
      }
    };
    pumps.add(pump);
    src.on("data", (chunk: Buffer) => {
      queue.push({ chunk, at: Date.now() + delayMs });
      if (!timer) pump();
    });
    src.on("end", () => {
      if (!timer) pump();
    });
    src.on("close", (hadError) => {
      // A reset travels on at once; a clean end waits for the queue (see pump).
      if (hadError || !src.readableEnded) {
        clearTimeout(timer);
        pumps.delete(pump);
        dst.resetAndDestroy();
      }
    });
  }

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    client.on("data", (chunk: Buffer) => {
      if (!cutMatch?.(chunk)) return;
      cutMatch = undefined;
      client.resetAndDestroy();
    });
    pipe(client, upstream);
    pipe(upstream, client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  const cut = () => {
    for (const s of sockets) s.resetAndDestroy();
  };
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  return {
    port,
    delay(ms) {
      delayMs = ms;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const p of pumps) p();
    },
    cut,
    cutWhen(match) {
      cutMatch = match;
    },
    async refuse() {
      const closed = stopListening();
      cut();
      await closed;
    },
    async accept() {
      if (!server.listening) await listen(port);
    },
    connections: () => Math.ceil(sockets.size / 2),
    async close() {
      const closed = stopListening();
      cut();
      await closed;
    },
  };
}
