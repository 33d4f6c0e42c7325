// helm for the chart tests: built from Go modules and cached (test/kind/build-helm.sh).
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
export const chartDir = path.resolve(here, "../../charts/pilotfish");

let cached: string | undefined;
export function helmBinary(): string {
  if (process.env.HELM) return process.env.HELM;
  cached ??= execFileSync("bash", [path.join(here, "build-helm.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
  return cached;
}

export function helm(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(helmBinary(), args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** `helm template` of the chart with --set flags; throws with helm's message when it fails. */
export function renderChart(sets: Record<string, string | number | boolean> = {}, namespace = "pilotfish-system"): K8sObject[] {
  const args = ["template", "pf", chartDir, "--namespace", namespace];
  for (const [k, v] of Object.entries(sets)) args.push(typeof v === "string" ? "--set-string" : "--set", `${k}=${v}`);
  const r = helm(args);
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return (loadAll(r.stdout) as (K8sObject | null)[]).filter((o): o is K8sObject => !!o);
}
