// `pilotfish profile list | dump | diff`: the installation profiles (istioctl 1.23's commands, which 1.24
// removed).
import type { Command } from "commander";
import { dump } from "js-yaml";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { collect, readIopDocs, reportIopError } from "./iop-input.js";
import { listProfiles } from "../config/profiles.js";
import { IopError, resolveIop, type ResolvedIop } from "../config/resolve.js";
import { isObject, type Json, type JsonObject } from "../config/values.js";

/** The IstioOperator a profile resolves to, with the effective values (chart defaults and the values profile included). */
export function effectiveIop(r: ResolvedIop): JsonObject {
  const spec = { ...r.spec, values: r.values };
  return { apiVersion: "install.istio.io/v1alpha1", kind: "IstioOperator", metadata: r.iop.metadata ?? {}, spec } as JsonObject;
}

function subtree(root: Json, path: string): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path.split(".").filter(Boolean)) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function flags(v: Json, prefix: string, out: string[]): void {
  if (isObject(v)) {
    for (const k of Object.keys(v).sort()) flags(v[k], prefix ? `${prefix}.${k.replace(/\./g, "\\.")}` : k.replace(/\./g, "\\."), out);
  } else if (Array.isArray(v)) v.forEach((x, i) => flags(x, `${prefix}[${i}]`, out));
  else out.push(`${prefix}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
}

export function registerProfile(program: Command, io: CliIO, exit: ExitCode): void {
  const profile = program.command("profile").description("list, show and compare installation profiles");
  profile
    .command("list")
    .description("list the installation profiles")
    .action(() => {
      io.stdout("Istio configuration profiles:\n" + listProfiles().map((p) => `    ${p}\n`).join(""));
      exit.code = 0;
    });
  profile
    .command("dump [profile]")
    .description("print a profile's effective IstioOperator (profile, chart defaults and values profile merged)")
    .option("-f, --filename <file>", "IstioOperator file(s) to merge instead of naming a profile", collect, [])
    .option("-p, --config-path <path>", "print only this subtree, e.g. components or values.global")
    .option("-o, --output <format>", "yaml, json or flags", "yaml")
    .action(async (name: string | undefined, opts: { filename: string[]; configPath?: string; output: string }) => {
      exit.code = await runProfileDump(name, opts, io);
    });
  profile
    .command("diff <a> <b>")
    .description("compare two profiles (or IstioOperator files); exits 0 when they are the same, 1 when they differ, 2 on error")
    .action(async (a: string, b: string) => {
      exit.code = await runProfileDiff(a, b, io);
    });
}

async function resolveNamed(nameOrFile: string, io: CliIO): Promise<ResolvedIop> {
  if (listProfiles().includes(nameOrFile)) return resolveIop({ docs: [], sets: [`profile=${nameOrFile}`] });
  if (/[./]/.test(nameOrFile)) return resolveIop({ docs: await readIopDocs([nameOrFile], io), sets: [] });
  throw new IopError([{ path: "", message: `profile "${nameOrFile}" not found; available profiles: ${listProfiles().join(", ")}` }]);
}

export async function runProfileDump(name: string | undefined, opts: { filename: string[]; configPath?: string; output: string }, io: CliIO): Promise<number> {
  if (!["yaml", "json", "flags"].includes(opts.output)) {
    io.stderr(`Error: unknown output format: ${opts.output} (use yaml, json or flags)\n`);
    return EXIT.USAGE;
  }
  if (name && opts.filename.length) {
    io.stderr("Error: cannot specify both profile name and filename flag\n");
    return EXIT.USAGE;
  }
  try {
    const r = name ? await resolveNamed(name, io) : resolveIop({ docs: await readIopDocs(opts.filename, io), sets: [] });
    let out: Json | undefined = effectiveIop(r);
    if (opts.configPath) {
      out = subtree((out as JsonObject).spec, opts.configPath);
      if (out === undefined) {
        io.stderr(`Error: --config-path ${opts.configPath}: no such path in the profile\n`);
        return EXIT.USAGE;
      }
    }
    if (opts.output === "json") io.stdout(JSON.stringify(out, null, 4) + "\n");
    else if (opts.output === "flags") {
      const lines: string[] = [];
      flags(opts.configPath ? (out as Json) : ((out as JsonObject).spec as Json), opts.configPath ?? "", lines);
      io.stdout(lines.join("\n") + "\n");
    } else io.stdout(dump(out, { lineWidth: -1, noRefs: true }));
    return 0;
  } catch (e) {
    return reportIopError(e, io);
  }
}

/** Line diff of two texts (longest common subsequence), with ` `, `-` and `+` prefixes. */
export function lineDiff(a: string, b: string): { same: boolean; text: string } {
  const x = a.split("\n"), y = b.split("\n");
  const n = x.length, m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0, j = 0, same = true;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) (out.push(` ${x[i]}`), i++, j++);
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) (out.push(`+${y[j]}`), j++, (same = false));
    else (out.push(`-${x[i]}`), i++, (same = false));
  }
  return { same, text: out.join("\n") };
}

export async function runProfileDiff(a: string, b: string, io: CliIO): Promise<number> {
  try {
    const [ra, rb] = [await resolveNamed(a, io), await resolveNamed(b, io)];
    const d = lineDiff(dump(effectiveIop(ra), { sortKeys: true, lineWidth: -1 }), dump(effectiveIop(rb), { sortKeys: true, lineWidth: -1 }));
    if (d.same) {
      io.stdout("Profiles are identical\n");
      return 0;
    }
    io.stdout(`The difference between profiles:\n${d.text}\n`);
    return EXIT.FINDINGS;
  } catch (e) {
    return reportIopError(e, io);
  }
}
