import { pino, type Logger } from "pino";

export type { Logger };

/** Paths that could ever carry a secret are censored, whatever a caller passes in. */
const REDACT = [
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "token",
  "*.token",
  "api_key",
  "*.api_key",
  "managementToken",
  "*.managementToken",
  "encryptionKey",
  "*.encryptionKey",
  "password",
  "*.password",
];

export function createLogger(opts: { level: string; format: "json" | "console" }): Logger {
  return pino({
    level: opts.level,
    base: { service: "llm-proxy" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: "[redacted]" },
    ...(opts.format === "console" ? { transport: { target: "pino-pretty", options: { colorize: false } } } : {}),
  });
}
