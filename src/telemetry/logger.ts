// JSON logs with pino. Reviews are logged one line each with namespace, pod, decision and duration; pod
// specs, env values and secrets are never logged.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? "info";
  return opts.destination ? pino({ level, base: { app: "pilotfish" } }, opts.destination) : pino({ level, base: { app: "pilotfish" } });
}
