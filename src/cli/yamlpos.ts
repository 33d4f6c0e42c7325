// Where a field path (spec.http[0].route[0].destinations) stands in a YAML document's text: line and column of
// its key (or of the value, for list items), so `validate -f` can point at the field, not only at the document.
// Uses the `yaml` package's node ranges (js-yaml keeps no positions).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from "yaml";

export interface Position {
  line: number;
  column: number;
}

/** Path segments: `a.b[2].c` -> ["a", "b", 2, "c"]; `annotations[istio.io/dry-run]` -> [..., "istio.io/dry-run"]. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else out.push(m[2]);
  }
  return out;
}

/** The position of `path` in `text` (1-based, relative to the text), or of its deepest existing ancestor. */
export function fieldPosition(text: string, path: string): Position | undefined {
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch {
    return undefined;
  }
  const segs = pathSegments(path);
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (isSeq(node) && typeof s === "number") {
      const item = node.items[s] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
      continue;
    }
    if (!isMap(node)) break;
    // A key may itself hold dots (labels, header names): try the longest run of segments that names a key.
    let found: { pair: Pair; used: number } | undefined;
    for (let j = segs.length; j > i && !found; j--) {
      const key = segs.slice(i, j).join(".");
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
      if (pair) found = { pair, used: j - i };
    }
    if (!found) break;
    offset = (found.pair.key as Node | null)?.range?.[0] ?? offset;
    node = found.pair.value;
    i += found.used - 1;
  }
  if (offset === undefined) return undefined;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}
