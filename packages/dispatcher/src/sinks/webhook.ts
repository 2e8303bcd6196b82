import type { SinkSettings } from "../config.js";
import type { DispatchRecord } from "../transform/record.js";
import { assertAccepted, createAgent, post } from "./http.js";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./signature.js";
import { accepted, type Sink, type SinkOutcome } from "./sink.js";

/** Signed, batched POST of `{"events":[...]}`; receivers verify with `verifyWebhook`. */
export function createWebhookSink(settings: SinkSettings["webhook"]): Sink {
  const agent = createAgent();
  return {
    name: "webhook",
    async deliver(records: readonly DispatchRecord[]): Promise<SinkOutcome> {
      if (records.length === 0) return accepted();
      const body = JSON.stringify({ events: records });
      const timestamp = Math.floor(Date.now() / 1000);
      const result = await post(agent, settings.url, body, { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(settings.secret, timestamp, body) }, settings.timeoutMs);
      assertAccepted("webhook", result);
      return accepted();
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}
