import type { DispatcherConfig, SinkSettings } from "../config.js";
import { createFileSink } from "./file.js";
import { createHeliconeSink } from "./helicone.js";
import { createLunarySink } from "./lunary.js";
import type { SinkName } from "./names.js";
import type { Sink } from "./sink.js";
import { createStdoutSink } from "./stdout.js";
import { createWebhookSink } from "./webhook.js";

type SinkFactory<N extends SinkName> = (settings: SinkSettings[N]) => Sink | Promise<Sink>;

/** Adding a sink: one file, one name in names.ts, one row here. */
export const SINKS: { [N in SinkName]: SinkFactory<N> } = {
  file: createFileSink,
  webhook: createWebhookSink,
  lunary: createLunarySink,
  helicone: createHeliconeSink,
  stdout: () => createStdoutSink(),
};

function build<N extends SinkName>(name: N, settings: Partial<SinkSettings>): Sink | Promise<Sink> {
  const own = settings[name];
  if (!own) throw new Error(`sink ${name} has no settings (config bug)`);
  return SINKS[name](own as SinkSettings[N]);
}

/** Builds the configured sinks in order. */
export async function createSinks(config: Pick<DispatcherConfig, "sinks" | "sinkSettings">): Promise<Sink[]> {
  return Promise.all(config.sinks.map((name) => build(name, config.sinkSettings)));
}
