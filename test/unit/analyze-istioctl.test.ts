// Differential test of `pilotfish analyze` against the real istioctl 1.30.3: every file of Istio's analyzer testdata
// (test/conformance/istio-analyze-all/testdata), each analysed alone with --use-kube=false, with -A and without
// (namespace "default"). istioctl's JSON output per file is committed under test/conformance/istio-analyze-files/
// golden (made by its gen.mjs; see its README). A file agrees when pilotfish prints the same messages (code, level,
// origin, message text; counted) and, second, the same references (file:line).
// Every remaining difference is pinned in differences.json with its reason: a new difference fails this test, and so
// does one that went away (then run with UPDATE_ISTIOCTL_DIFFERENCES=1 to rewrite the file, and lower no number).
import { it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const data = path.join(root, "test/conformance/istio-analyze-all/testdata");
const corpus = path.join(root, "test/conformance/istio-analyze-files");
const golden = path.join(corpus, "golden");
const pinnedFile = path.join(corpus, "differences.json");

/** Pairs (file, mode) of 220 whose messages agree, and whose messages and references agree. */
const AGREE_MESSAGES = 205;
const AGREE_REFERENCES = 205;
const RUNS = 220;

interface Json { code: string; level: string; origin: string; message: string; reference?: string }
interface Pinned { diff: string; reason: string }

/** Why each kind of remaining difference exists (the first matching rule names it). */
const REASONS: [RegExp, string][] = [
  [/\[IST0109\]/, "istioctl is not deterministic here: ConflictingMeshGatewayHostsAnalyzer reports each VirtualService once, for whichever conflicting host its Go map yields first (reruns of istioctl alternate between the two texts)"],
  [/Envoy filter: unknown field "/, "validator: Istio decodes EnvoyFilter patch values into Envoy's protobuf types and warns on unknown fields; pilotfish's validator has no Envoy type descriptors"],
  [/EnvoyFilter exposes internal implementation details/, "validator: pilotfish's validateResource returns no warnings when it finds an error (src/webhook/validate/index.ts `warnings: p.errors.length ? [] : p.warnings`); Istio's schema analyzer reports the errors and the warnings"],
  [/Schema validation error: (Required value|port is required|destination is required)$/, "validator wording: where Istio's validation says \"port is required\" / \"destination is required\", pilotfish's validator keeps the CRD schema's \"Required value\" and drops its own rule's message for that field"],
  [/used by another server|duplicate name (http|tcp)$/, "validator wording: pilotfish's validator adds \"(used by another server, spec.servers[N])\" to Istio's \"port names in servers must be unique\" message"],
  [/only one of targetRefs or workloadSelector can be set/, "validator wording: pilotfish's validator appends the CRD rule's text \"(CRD: only one of targetRefs or selector can be set)\""],
  [/invalid host \*/, "validator wording: pilotfish's validator adds \"(hostname cannot be wildcard)\" to Istio's \"invalid host *\""],
];

const key = (m: Json) => `${m.level} [${m.code}] (${m.origin}) ${m.message}`;

async function pilotfish(file: string, all: boolean): Promise<Json[]> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (x) => void (out += x), stderr: (x) => void (err += x), readStdin: async () => "" };
  const code = await main(["analyze", "--use-kube=false", "--files-runtime-kinds=false", ...(all ? ["-A"] : []), "-o", "json", path.join(data, file)], io);
  assert.ok(code === 0 || code === 1, `${file}: exit ${code}: ${err}`);
  const msgs = JSON.parse(out) as Json[];
  return msgs.map((m) => ({ ...m, reference: m.reference?.startsWith(data + path.sep) ? m.reference.slice(data.length + 1) : m.reference }));
}

/** The differences of one run: `FILE [MODE] + MSG` (pilotfish only), `- MSG` (istioctl only), `@ MSG ours vs theirs`. */
function differences(file: string, mode: string, ours: Json[], theirs: Json[]): string[] {
  const out: string[] = [];
  const left = theirs.map(key);
  for (const m of ours) {
    const i = left.indexOf(key(m));
    if (i >= 0) left.splice(i, 1);
    else out.push(`${file} [${mode}] + ${key(m)}`);
  }
  for (const k of left) out.push(`${file} [${mode}] - ${k}`);
  if (out.length) return out;
  // Same messages: compare the references of each (matched in order within equal messages).
  const refs = (ms: Json[]) => ms.map((m) => `${key(m)}\u0000${m.reference ?? ""}`).sort();
  const a = refs(ours);
  const b = refs(theirs);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const [k, ra] = a[i].split("\u0000");
      out.push(`${file} [${mode}] @ ${k} ${ra} vs ${b[i].split("\u0000")[1]}`);
    }
  }
  return out;
}

it("pilotfish analyze reports what istioctl 1.30.3 reports on each analyzer testdata file (--use-kube=false, -A and namespace default)", { timeout: 600_000 }, async () => {
  const index = JSON.parse(fs.readFileSync(path.join(golden, "index.json"), "utf8")) as Record<string, Record<string, unknown>>;
  const files = Object.keys(index);
  assert.equal(files.length * 2, RUNS, "golden/index.json changed size");
  const all: string[] = [];
  let agreeMessages = 0;
  let agreeReferences = 0;
  for (const file of files) {
    for (const mode of ["all", "default"]) {
      const theirs = (JSON.parse(fs.readFileSync(path.join(golden, `${file}.${mode}.json`), "utf8")) ?? []) as Json[];
      const d = differences(file, mode, await pilotfish(file, mode === "all"), theirs);
      const head = `${file} [${mode}] `;
      if (!d.some((x) => x.startsWith(`${head}+ `) || x.startsWith(`${head}- `))) agreeMessages++;
      if (!d.length) agreeReferences++;
      all.push(...d);
    }
  }
  all.sort();
  if (process.env.UPDATE_ISTIOCTL_DIFFERENCES) {
    const pinned: Pinned[] = all.map((diff) => {
      const r = REASONS.find(([re]) => re.test(diff));
      assert.ok(r, `no reason for the difference:\n${diff}`);
      return { diff, reason: r[1] };
    });
    fs.writeFileSync(pinnedFile, JSON.stringify(pinned, null, 2) + "\n");
  }
  const pinned = JSON.parse(fs.readFileSync(pinnedFile, "utf8")) as Pinned[];
  for (const p of pinned) assert.ok(p.reason, `no reason for ${p.diff}`);
  const want = pinned.map((p) => p.diff).sort();
  assert.deepEqual(all.filter((x) => !want.includes(x)), [], "new differences from istioctl");
  assert.deepEqual(want.filter((x) => !all.includes(x)), [], "pinned differences that went away: rewrite differences.json (UPDATE_ISTIOCTL_DIFFERENCES=1) and raise the numbers");
  assert.equal(agreeMessages, AGREE_MESSAGES, `runs whose messages agree: ${agreeMessages} of ${RUNS}`);
  assert.equal(agreeReferences, AGREE_REFERENCES, `runs whose messages and references agree: ${agreeReferences} of ${RUNS}`);
});
