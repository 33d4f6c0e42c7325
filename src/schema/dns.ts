// DNS names as Istio's agent validation reads them (pkg/config/validation/agent): labels and FQDNs.
const DNS_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

export const isDnsLabel = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s);

/** agent.ValidateFQDN: the error, or undefined for a valid fully qualified name (a trailing dot is allowed). */
export function fqdnError(h: string): string | undefined {
  if (h.length > 255) return `domain name "${h}" too long (max 255)`;
  if (h === "") return "empty domain name not allowed";
  const parts = h.split(".");
  const tld = parts[parts.length - 1];
  if (/^[+-]?[0-9]+$/.test(tld)) return `domain name "${h}" invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (const [i, l] of parts.entries()) {
    if (i === parts.length - 1 && l === "") return undefined;
    if (!isDnsLabel(l)) return `domain name "${h}" invalid (label "${l}" invalid)`;
  }
  return undefined;
}
