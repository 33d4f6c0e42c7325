// `pilotfish validate -f FILE|DIR|-`: checks Istio resources offline, as the API server's schema and the
// validating webhook would together. Exit 0 all valid, 1 any invalid, 2 unreadable input or broken YAML.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { inputName, readInput, type CliIO, type ExitCode } from "./io.js";
import { splitYamlDocuments, YamlInputError } from "./yamldocs.js";
import { fieldPosition } from "./yamlpos.js";
import { validateResource, type FieldError } from "../webhook/validate/index.js";

interface Opts {
  filename: string[];
  output: string;
}

/** An error with where its field stands in the file (1-based; the document's line when the field is absent). */
interface PlacedError extends FieldError {
  line: number;
  column: number;
}

interface DocReport {
  file: string;
  document: number;
  line: number;
  kind: string;
  name: string;
  valid: boolean;
  skipped: boolean;
  errors: PlacedError[];
  warnings: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

function expand(target: string): string[] {
  if (target === "-") return ["-"];
  const st = fs.statSync(target);
  if (!st.isDirectory()) return [target];
  const out: string[] = [];
  for (const e of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(target, e.name);
    if (e.isDirectory()) out.push(...expand(p));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

export function registerValidate(program: Command, io: CliIO, exit: ExitCode): void {
  program
    .command("validate")
    .description("validate Istio resources (VirtualService, DestinationRule, Gateway, ...) from files, directories or stdin")
    .requiredOption("-f, --filename <path>", "file, directory (recursive: *.yaml, *.yml, *.json) or - for stdin (repeatable)", collect, [])
    .option("-o, --output <format>", "output format: text or json", "text")
    .action(async (opts: Opts) => {
      exit.code = await runValidate(opts, io);
    });
}

export async function runValidate(opts: Opts, io: CliIO): Promise<number> {
  if (!["text", "json"].includes(opts.output)) {
    io.stderr(`Error: --output must be text or json, got "${opts.output}"\n`);
    return 2;
  }
  if (opts.filename.length === 0) {
    io.stderr("Error: no input: give -f, --filename FILE, DIR or - (stdin)\n");
    return 2;
  }
  const reports: DocReport[] = [];
  const inputErrors: string[] = [];
  for (const target of opts.filename) {
    let files: string[];
    try {
      files = expand(target);
      if (files.length === 0) throw new Error(`no *.yaml, *.yml or *.json files under ${target}`);
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) {
        inputErrors.push((e as Error).message);
        continue;
      }
      inputErrors.push(`cannot read ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readInput(file, io);
      } catch (e) {
        inputErrors.push((e as Error).message);
        continue;
      }
      const source = inputName(file);
      let docs;
      try {
        docs = splitYamlDocuments(text, source);
      } catch (e) {
        inputErrors.push(e instanceof YamlInputError ? e.message : `${source}: ${(e as Error).message}`);
        continue;
      }
      docs.forEach((d, i) => {
        if (d.value === null || d.value === undefined) return;
        const items = isList(d.value) ? (d.value as { items: unknown[] }).items : [d.value];
        for (const item of items) {
          const o = (item ?? {}) as Record<string, any>;
          const r = validateResource(item, { offline: true });
          // List items' paths start inside the item: place them from the item's own text only when not a List.
          const place = (e: FieldError): PlacedError => {
            const pos = items.length === 1 && item === d.value ? fieldPosition(d.text, e.path) : undefined;
            return { ...e, line: pos ? d.line + pos.line - 1 : d.line, column: pos?.column ?? 1 };
          };
          reports.push({
            file: source, document: i, line: d.line, kind: String(o.kind ?? ""), name: String(o.metadata?.name ?? ""),
            valid: r.errors.length === 0, skipped: !r.handled, errors: r.errors.map(place), warnings: r.warnings,
          });
        }
      });
    }
  }
  // Nothing to check is an error, so an empty directory or an unmatched glob cannot pass a CI step in silence.
  if (!inputErrors.length && !reports.length) inputErrors.push(`no resources found in ${opts.filename.join(", ")}`);
  const invalid = reports.filter((r) => !r.valid).length;
  if (opts.output === "json") {
    io.stdout(JSON.stringify({ valid: invalid === 0 && inputErrors.length === 0, inputErrors, resources: reports }, null, 2) + "\n");
  } else {
    for (const e of inputErrors) io.stderr(`Error: ${e}\n`);
    for (const r of reports) {
      const where = `${r.file}:${r.line} ${r.kind}/${r.name}`;
      if (r.skipped) io.stdout(`${where}: skipped (not an Istio resource)\n`);
      else if (r.valid) io.stdout(`${where}: valid${r.warnings.length ? ` with ${r.warnings.length} warning(s)` : ""}\n`);
      else for (const e of r.errors) io.stdout(`${r.file}:${e.line}:${e.column} ${r.kind}/${r.name}: ${e.path ? e.path + ": " : ""}${e.message}\n`);
      for (const w of r.warnings) io.stdout(`${where}: warning: ${w}\n`);
    }
    const checked = reports.filter((r) => !r.skipped).length;
    io.stderr(`${checked} resource(s) checked, ${invalid} invalid${inputErrors.length ? `, ${inputErrors.length} unreadable input(s)` : ""}\n`);
  }
  if (inputErrors.length) return 2;
  return invalid ? 1 : 0;
}

function isList(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as any).kind === "List" && Array.isArray((v as any).items);
}
