// JSON logs with pino. Reviews are logged one line each with namespace, pod, decision and duration; pod
// specs, env values and secrets are never logged.
//
// Each line carries its level by name ("level":"warn", not pino's numeric 40) and an RFC 3339 time
// ("time":"2026-12-01T19:05:03.123Z", not epoch milliseconds), which is what Loki, Elasticsearch and
// `kubectl logs | jq` users filter on without a lookup table.
import { pino, stdTimeFunctions, type Logger } from "pino";

export type { Logger };

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? "info";
  const options = {
    level,
    base: { app: "pilotfish" },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
