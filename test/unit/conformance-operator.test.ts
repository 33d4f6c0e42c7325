// Guards Istio compatibility of rendering: istioctl 1.30.3's `manifest generate` corpus, copied into
// test/conformance/istio-operator (see test/conformance/README.md), must report equal object inventories for every
// case (webhook configurations excepted, as the corpus documents). The corpus is in the tree, so this runs on any
// clone and never skips.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { cliWorks, root } from "./conformance-cli.js";
import { injectorTemplateTexts } from "../../src/config/inject-templates/index.js";
const corpus = path.join(root, "test/conformance/istio-operator");
const runner = path.join(corpus, "run.mjs");
const CASES = 14;

it("renders the same objects as istioctl manifest generate 1.30.3 on every case (14/14)", { timeout: 600_000 }, () => {
  assert.ok(fs.existsSync(runner), `missing ${runner}`);
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(corpus, "cases.json"), "utf8")).length, CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout.split("\n").filter((l) => !l.startsWith("PASS")).join("\n"));
  assert.equal(Number(summary[1]), CASES);
  for (const c of ["profile-default", "profile-demo", "profile-minimal"]) assert.match(r.stdout, new RegExp(`^PASS ${c} `, "m"));
});

// pilotfish's own differential corpus (test/conformance/istioctl-manifest, made with istioctl 1.30.3 built from
// Istio's tag): one IstioOperator input per group of istiod and gateway chart values. Every object of every case
// must equal istioctl's field by field (labels aside), but for the deliberate differences below.
const ownCorpus = path.join(root, "test/conformance/istioctl-manifest");
const OWN_CASES = 52;
/** Fields that differ from istioctl's on purpose, by object name (per revision) and field path, with the reason. */
const DELIBERATE: { object: RegExp; field: RegExp; why: string }[] = [
  {
    object: /^ConfigMap\/istio-system\/istio-sidecar-injector(-[a-z0-9-]+)?$/,
    field: /^\.data\.config\.templates(\.|:|$)/,
    why: "the injection templates are pilotfish's own texts of Istio's templates (the set of names is istioctl's)",
  },
];

/**
 * A template name missing on one side (the names must be istioctl's); a text pilotfish has not written yet
 * (injectorTemplateTexts() leaves it out) is the only excuse.
 */
function missingTemplate(line: string): boolean {
  const written = Object.keys(injectorTemplateTexts());
  const m = /\.data\.config\.templates(?:\.([\w-]+))?: got (\S+)/.exec(line);
  if (!m) return false;
  if (line.endsWith(" want undefined")) return true; // a name istioctl does not write
  if (m[2] !== "undefined") return false; // both sides have it: the text differs
  return m[1] ? written.includes(m[1]) : written.length > 0;
}

it(`renders every object of its own istioctl 1.30.3 corpus field by field as istioctl does (${OWN_CASES} cases)`, { timeout: 600_000 }, () => {
  cliWorks();
  const casesFile = path.join(ownCorpus, "cases.json");
  assert.equal(JSON.parse(fs.readFileSync(casesFile, "utf8")).length, OWN_CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--cases", casesFile, "--fields", "--ignore-labels"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed; fields: (\d+)\/(\d+) objects identical/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout.split("\n").filter((l) => l.startsWith("FAIL") || l.startsWith("    missing") || l.startsWith("    extra")).join("\n"));
  assert.equal(Number(summary[1]), OWN_CASES);
  // Per case, the objects with differing fields; every differing field must be a deliberate difference.
  const differing = new Set<string>();
  const unexpected: string[] = [];
  let kase = "";
  for (const l of r.stdout.split("\n")) {
    if (/^(PASS|FAIL) /.test(l)) kase = l.split(" ")[1];
    else if (l.startsWith("    field  ")) {
      const [object, field] = l.slice(11).split(" ");
      differing.add(`${kase} ${object}`);
      if (!DELIBERATE.some((d) => d.object.test(object) && d.field.test(field)) || missingTemplate(l)) unexpected.push(`${kase} ${l.slice(11, 240)}`);
    }
  }
  assert.deepEqual(unexpected, [], "fields that differ from istioctl's");
  // Every other object is identical.
  assert.equal(Number(summary[4]) - Number(summary[3]), differing.size);
});
