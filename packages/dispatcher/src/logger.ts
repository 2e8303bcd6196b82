import { pino, type Logger } from "pino";

/** JSON logs; they go to stderr when the stdout sink owns stdout. */
export function createLogger(level: string, toStderr: boolean): Logger {
  return pino({ level, base: { service: "dispatcher" } }, pino.destination(toStderr ? 2 : 1));
}
