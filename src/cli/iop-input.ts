// Reading IstioOperator inputs for the operator commands: `-f` files (repeatable, comma-separated, `-` for
// stdin, which must come last), `--set` flags and `-r/--revision`.
import fs from "node:fs";
import type { CliIO } from "./main.js";
import { IopError, parseIopFile, resolveIop, type ResolvedIop } from "../operator/resolve.js";
import type { JsonObject } from "../mesh/values.js";

export interface IopFlags {
  filename: string[];
  set: string[];
  revision?: string;
  force?: boolean;
}

export const collect = (v: string, prev: string[]) => [...prev, v];

export async function readIopDocs(files: string[], io: CliIO): Promise<{ source: string; doc: JsonObject }[]> {
  const names = files.flatMap((f) => f.split(",")).filter((f) => f !== "");
  const stdinAt = names.indexOf("-");
  if (stdinAt >= 0 && stdinAt !== names.length - 1) throw new IopError([{ path: "", message: "-f -: stdin is only allowed as the last filename" }]);
  const docs: { source: string; doc: JsonObject }[] = [];
  for (const f of names) {
    let text: string;
    try {
      text = f === "-" ? await io.readStdin() : fs.readFileSync(f, "utf8");
    } catch (e) {
      throw new IopError([{ path: "", message: `cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    const source = f === "-" ? "<stdin>" : f;
    docs.push({ source, doc: parseIopFile(text, source) });
  }
  return docs;
}

/** Files, then --set flags, then -r (which wins), as istioctl orders them; `-r default` is dropped. */
export async function resolveFromFlags(opts: IopFlags, io: CliIO): Promise<ResolvedIop> {
  const docs = await readIopDocs(opts.filename, io);
  const sets = [...opts.set];
  if (opts.revision && opts.revision !== "default") sets.push(`revision=${opts.revision}`);
  return resolveIop({ docs, sets, force: opts.force });
}

export function reportIopError(e: unknown, io: CliIO): number {
  if (e instanceof IopError) {
    for (const err of e.errors) io.stderr(`Error: ${err.path ? err.path + ": " : ""}${err.message}\n`);
    return 1;
  }
  throw e;
}
