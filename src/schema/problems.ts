// What validation finds: errors with a field path, and warnings. Paths read like kubectl's:
// spec.http[0].route[1].destination.host
export interface FieldError {
  path: string;
  message: string;
}

export class Problems {
  readonly errors: FieldError[] = [];
  readonly warnings: string[] = [];
  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
  warn(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }
}

export const at = (path: string, key: string | number): string => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

const MAX_SUGGEST_CHARS = 64;

/** The closest known name, when it is close enough to be a likely typo. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  // A typo is short: comparing a megabyte-long word with every name would take seconds.
  if (word.length > MAX_SUGGEST_CHARS) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const kl = k.toLowerCase();
    let d = levenshtein(w, kl);
    if (kl.startsWith(w) || w.startsWith(kl)) d = Math.min(d, Math.abs(kl.length - w.length));
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
