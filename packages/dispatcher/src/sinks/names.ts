/** Every sink the dispatcher knows; the table in sinks/index.ts must have one row per name. */
export const SINK_NAMES = ["file", "webhook", "lunary", "helicone", "stdout"] as const;
export type SinkName = (typeof SINK_NAMES)[number];
