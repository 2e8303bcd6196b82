/** What webhook receivers and other packages may use; the process itself starts from main.ts. */
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhook } from "./sinks/signature.js";
export type { DispatchRecord } from "./transform/record.js";
