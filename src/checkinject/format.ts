// check-inject's text report: istioctl's table (WEBHOOK REVISION INJECTED REASON, with whose injector it is),
// the verdict, the templates, then where every injected setting comes from. Pure.
import type { Explanation } from "./explain.js";

/** Left-aligned columns separated by two spaces (istioctl's table writer); the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const width = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(width[i] - [...c].length))).join("  ").trimEnd() + "\n";
  return line(header) + rows.map(line).join("");
}

const OWNER: Record<string, string> = { pilotfish: "pilotfish", istiod: "istiod", "revision-tag": "tag" };

export function formatExplanation(e: Explanation): string {
  let out = "";
  if (e.webhooks.length) {
    out += table(
      ["WEBHOOK", "INJECTOR", "REVISION", "INJECTED", "REASON"],
      e.webhooks.map((w) => [w.name, w.tag ? `tag ${w.tag}` : OWNER[w.owner], w.revision || "-", w.willInject ? "✔" : "✘", w.explanation]),
    );
    out += "\n";
  }
  out += `${e.subject} (namespace ${e.namespace}): ${e.injected ? "✔" : "✘"} ${e.summary}\n`;
  if (e.alreadyInjected) out += `Already injected: revision ${e.alreadyInjected.revision}, containers ${e.alreadyInjected.containers.join(", ") || "-"}\n`;
  for (const w of e.decision?.warnings ?? []) out += `Warning: ${w}\n`;
  for (const err of e.errors) out += `ERROR: ${err}\n`;
  if (e.templates) out += `Templates: ${e.templates.names.join(", ")} (${e.templates.source}: ${e.templates.from})\n`;
  if (e.provenance.length) {
    out += "\n" + table(["SETTING", "VALUE", "SOURCE", "FROM"], e.provenance.map((p) => [p.setting, p.value === "" ? '""' : p.value, p.source, p.from]));
  }
  return out;
}
