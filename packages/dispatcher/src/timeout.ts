/** How long a check waits on Redis: a disconnected client would hold it for ioredis' whole retry. */
export const CHECK_TIMEOUT_MS = 2000;

/** Rejects when `work` has not settled within CHECK_TIMEOUT_MS (the work itself goes on). */
export function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
