// Kubernetes resource quantities in canonical form, as a round trip through resource.Quantity prints them
// (`2000m` -> `2`, `1024Mi` -> `1Gi`, `0.5` -> `500m`). Istio's goldens show quantities in this form.

const BINARY: [string, bigint][] = [["Ei", 1n << 60n], ["Pi", 1n << 50n], ["Ti", 1n << 40n], ["Gi", 1n << 30n], ["Mi", 1n << 20n], ["Ki", 1n << 10n]];
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export function isQuantity(s: string): boolean {
  return QUANTITY_RE.test(s.trim()) && s.trim() === s;
}

/** Returns the canonical form of a quantity string, or the input unchanged if it is not a quantity. */
export function canonicalQuantity(input: string | number): string {
  const s = String(input);
  const m = QUANTITY_RE.exec(s);
  if (!m) return s;
  const [, sign, num, suffix = "", exp] = m;
  const [intPart, fracPart = ""] = num.split(".");
  // value = digits * 10^scale (exact rational with a power-of-ten denominator)
  let digits = BigInt((intPart || "0") + fracPart);
  let scale = -fracPart.length;
  const neg = sign === "-" && digits !== 0n;
  if (suffix.endsWith("i")) {
    const mult = BINARY.find(([n]) => n === suffix)![1];
    digits *= mult;
    // Binary form only if the value is a whole number of bytes.
    const whole = wholeValue(digits, scale);
    if (whole !== undefined) {
      for (const [name, size] of BINARY) {
        if (whole !== 0n && whole % size === 0n) return `${neg ? "-" : ""}${whole / size}${name}`;
      }
      return `${neg ? "-" : ""}${whole}`;
    }
  } else {
    scale += exp !== undefined ? Number(exp) : DECIMAL_SUFFIX[suffix];
  }
  return (neg ? "-" : "") + decimalForm(digits, scale);
}

function wholeValue(digits: bigint, scale: number): bigint | undefined {
  if (scale >= 0) return digits * 10n ** BigInt(scale);
  const d = 10n ** BigInt(-scale);
  return digits % d === 0n ? digits / d : undefined;
}

function decimalForm(digits: bigint, scale: number): string {
  if (digits === 0n) return "0";
  // Normalise: strip trailing zeros into the scale.
  while (digits % 10n === 0n) {
    digits /= 10n;
    scale += 1;
  }
  // Round up to nano precision, as Kubernetes does for smaller values.
  if (scale < -9) {
    const d = 10n ** BigInt(-9 - scale);
    digits = (digits + d - 1n) / d;
    scale = -9;
  }
  // Pick the largest exponent multiple of 3 (<= scale) so the mantissa is an integer.
  let e = Math.floor(scale / 3) * 3;
  e = Math.max(-9, Math.min(18, e));
  const mantissa = digits * 10n ** BigInt(scale - e);
  const suffix = Object.entries(DECIMAL_SUFFIX).find(([, v]) => v === e)![0];
  return `${mantissa}${suffix}`;
}
