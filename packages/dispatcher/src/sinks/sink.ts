import type { DispatchRecord } from "../transform/record.js";
import type { SinkName } from "./names.js";

/** An event a sink will never accept (e.g. Helicone's 400): it goes to the dead letter, not a retry. */
export type Rejection = { id: string; reason: string };

export type SinkOutcome = { rejected: Rejection[]; skipped: number };

/**
 * A failed delivery; `permanent` skips retries. `remaining` narrows a retry to the events that did
 * not land, and `rejected` carries events refused for good in the same pass.
 */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly remaining?: ReadonlySet<string>,
    readonly rejected: readonly Rejection[] = [],
  ) {
    super(message);
    this.name = "SinkError";
  }
}

/**
 * A delivery target. `deliver` resolves only once the batch is durably accepted (that is when the
 * consumer acknowledges it), and throws SinkError otherwise. Records carry an idempotency key
 * (`id`) because at-least-once delivery may hand the same event over twice.
 */
export interface Sink {
  readonly name: SinkName;
  deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome>;
  close(): Promise<void>;
}

export const accepted = (skipped = 0): SinkOutcome => ({ rejected: [], skipped });
