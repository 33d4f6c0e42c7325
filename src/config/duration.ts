// One duration parser with Go's time.ParseDuration grammar ("300ms", "1.5h", "1m30s", "-2s", "0"), used by every
// flag, the mesh config and the validators, so a duration means the same thing everywhere.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds, or undefined when `s` is not a Go duration. */
export function parseGoDuration(s: string): number | undefined {
  if (typeof s !== "string") return undefined;
  let rest = s;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest[0] === "-" ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  TERM.lastIndex = 0;
  let total = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while (at < rest.length && (m = TERM.exec(rest))) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = TERM.lastIndex;
  }
  return at === rest.length ? sign * total : undefined;
}

/** A duration flag's value in milliseconds; an error naming the flag otherwise (a positive duration unless allowZero). */
export function durationFlag(flag: string, value: string, opts: { allowZero?: boolean } = {}): number {
  const ms = parseGoDuration(String(value).trim());
  if (ms === undefined) throw new Error(`${flag} ${JSON.stringify(value)}: not a duration; use Go's form, e.g. 90s, 1m30s, 5m, 8760h`);
  if (ms < 0 || (ms === 0 && !opts.allowZero)) throw new Error(`${flag} ${JSON.stringify(value)}: must be a positive duration`);
  return ms;
}
