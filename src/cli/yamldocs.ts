// Multi-document YAML input with each document's own text kept (kube-inject passes unknown kinds through
// verbatim) and parse errors reported with the file and line.
import { load } from "js-yaml";

export class YamlInputError extends Error {}

export interface YamlDoc {
  value: unknown;
  text: string;
  /** 1-based line of the document's first line in the file. */
  line: number;
}

export function splitYamlDocuments(text: string, source: string): YamlDoc[] {
  const lines = text.split("\n");
  const docs: YamlDoc[] = [];
  let start = 0;
  const flush = (end: number) => {
    const body = lines.slice(start, end).join("\n");
    if (body.trim() !== "" && !/^(\s*#.*|\s*)*$/.test(body)) {
      let value: unknown;
      try {
        value = load(body);
      } catch (e) {
        const mark = (e as { mark?: { line: number; column: number } }).mark;
        const line = mark ? start + mark.line + 1 : start + 1;
        const reason = ((e as { reason?: string }).reason ?? (e as Error).message).split("\n")[0];
        throw new YamlInputError(`${source}:${line}${mark ? ":" + (mark.column + 1) : ""}: invalid YAML: ${reason}`);
      }
      docs.push({ value, text: body, line: start + 1 });
    }
  };
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i])) {
      flush(i);
      start = i + 1;
    }
  }
  flush(lines.length);
  return docs;
}
