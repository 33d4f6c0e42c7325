// Reading IstioOperator inputs for the operator commands: `-f` files (repeatable, comma-separated, `-` for
// stdin, which must come last), `--set` flags and `-r/--revision`.
import type { Command } from "commander";
import { EXIT, inputName, readInput, type CliIO } from "./io.js";
import { IopError, parseIopFile, resolveIop, type ResolvedIop } from "../config/resolve.js";
import type { JsonObject } from "../config/values.js";

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
      text = await readInput(f, io);
    } catch (e) {
      throw new IopError([{ path: "", message: (e as Error).message }]);
    }
    const source = inputName(f);
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

/** An invalid IstioOperator, an unknown profile, an unreadable or broken file: input errors, exit 2. */
export function reportIopError(e: unknown, io: CliIO): number {
  if (e instanceof IopError) {
    for (const err of e.errors) io.stderr(`Error: ${err.path ? err.path + ": " : ""}${err.message}\n`);
    return EXIT.USAGE;
  }
  throw e;
}

/** The IstioOperator input flags every operator command takes: -f, --set, -r, --force. */
export function iopOptions(cmd: Command, forceHelp: string): Command {
  return cmd
    .option("-f, --filename <file>", "IstioOperator file (repeatable, comma-separated; - for stdin, last)", collect, [])
    .option("-s, --set <path=value>", "override an IstioOperator spec path, e.g. profile=demo or values.pilot.replicaCount=2 (repeatable)", collect, [])
    .option("-r, --revision <rev>", "control-plane revision (same as --set revision=REV)")
    .option("--force", forceHelp, false);
}

/** Lease timing flags, shared by `serve --leader-elect` and `operator --leader-elect`. */
export function leaseOptions(cmd: Command): Command {
  return cmd
    .option("--lease-duration <duration>", "a lost leader is replaced after this long", "15s")
    .option("--renew-deadline <duration>", "a leader that cannot renew for this long steps down", "10s")
    .option("--retry-period <duration>", "how often candidates try the Lease", "2s");
}
