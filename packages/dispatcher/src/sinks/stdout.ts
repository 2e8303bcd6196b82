import { once } from "node:events";
import type { DispatchRecord } from "../transform/record.js";
import { accepted, type Sink, type SinkOutcome } from "./sink.js";

/** JSONL on stdout, for containers whose log driver is the pipeline; logs go to stderr. */
export function createStdoutSink(out: NodeJS.WritableStream = process.stdout): Sink {
  return {
    name: "stdout",
    async deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome> {
      if (records.length === 0) return accepted();
      // Back-pressure: accepted means the pipe took it, not that it is buffered without bound.
      if (!out.write(records.map((r) => JSON.stringify(r)).join("\n") + "\n")) await once(out, "drain");
      return accepted();
    },
    async close(): Promise<void> {},
  };
}
