// One duration parser with Go's time.ParseDuration grammar ("300ms", "1.5h", "1m30s", "-2s", "0"), used by every
// flag, the mesh config and the validators, so a duration means the same thing everywhere. Exact to the
// nanosecond (BigInt), as Go's is: "1.000000001s" is not a whole number of milliseconds.
const UNIT_NS: Record<string, bigint> = { ns: 1n, us: 1_000n, "µs": 1_000n, "μs": 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const TERM = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** Nanoseconds, or undefined when `s` is not a Go duration. */
export function goDurationNanos(s: string): bigint | undefined {
  if (typeof s !== "string") return undefined;
  let rest = s;
  let sign = 1n;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest[0] === "-" ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return undefined;
  TERM.lastIndex = 0;
  let total = 0n;
  let at = 0;
  let m: RegExpExecArray | null;
  while (at < rest.length && (m = TERM.exec(rest))) {
    const [, whole, frac, unit] = m;
    if (whole === "" && (frac === undefined || frac === "")) return undefined;
    const u = UNIT_NS[unit];
    total += BigInt(whole || "0") * u;
    if (frac) total += (BigInt(frac) * u) / 10n ** BigInt(frac.length);
    at = TERM.lastIndex;
  }
  return at === rest.length ? sign * total : undefined;
}

/** Milliseconds, or undefined when `s` is not a Go duration. */
export function parseGoDuration(s: string): number | undefined {
  const ns = goDurationNanos(s);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

/** A duration flag's value in milliseconds; an error naming the flag otherwise (a positive duration unless allowZero). */
export function durationFlag(flag: string, value: string, opts: { allowZero?: boolean } = {}): number {
  const ms = parseGoDuration(String(value).trim());
  if (ms === undefined) throw new Error(`${flag} ${JSON.stringify(value)}: not a duration; use Go's form, e.g. 90s, 1m30s, 5m, 8760h`);
  if (ms < 0 || (ms === 0 && !opts.allowZero)) throw new Error(`${flag} ${JSON.stringify(value)}: must be a positive duration`);
  return ms;
}
