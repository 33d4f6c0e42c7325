// Guards Istio compatibility: Istio 1.30.3's injection goldens, copied into test/conformance/istio-inject (see
// test/conformance/README.md), must keep passing through `pilotfish kube-inject`. The corpus is in the tree, so this
// runs on any clone and never skips.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { cliWorks, root } from "./conformance-cli.js";
const corpus = path.join(root, "test/conformance/istio-inject");
const runner = path.join(corpus, "run.mjs");
// Today's numbers: every case of the corpus passes. A smaller corpus would pass vacuously, so its size is pinned too.
const CASES = 67;

it("passes every case of Istio's injection conformance corpus (67/67)", { timeout: 900_000 }, () => {
  assert.ok(fs.existsSync(runner), `missing ${runner}`);
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(corpus, "cases.json"), "utf8")).length, CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout);
  assert.equal(Number(summary[3]), 0, "no case may be skipped");
  assert.equal(Number(summary[1]), CASES);
  assert.equal(r.status, 0);
});

// Goldens made here with the real istioctl 1.30.3 (test/conformance/istioctl-inject/README.md): revisions, profiles,
// mesh and values settings the shared corpus does not cover.
const own = path.join(root, "test/conformance/istioctl-inject");
const OWN_CASES = 24;

it("passes every istioctl 1.30.3 golden made for pilotfish (revision canary, demo, mesh/values settings)", { timeout: 600_000 }, () => {
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(own, "cases.json"), "utf8")).length, OWN_CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--cases", path.join(own, "cases.json"), "--testdata", path.join(own, "testdata")], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout);
  assert.equal(Number(summary[1]), OWN_CASES);
});

// All 133 cases of Istio 1.30.3's TestInjection/TestInjectionOlderVersion (test/conformance/istio-inject-all/README.md):
// the 67 above plus the 66 the shared corpus keeps back. 3 OpenShift cases are webhook-only in Istio (skipped here).
const all = path.join(root, "test/conformance/istio-inject-all");
const ALL_CASES = 133;
const ALL_SKIPPED = 3;
// Cases that fail today, each with why. Empty means every case passes; a new failure or a fixed one fails this test.
const ALL_KNOWN_FAILURES: Record<string, string> = {};

it(`passes Istio's whole injection corpus (${ALL_CASES} cases) but for the known failures`, { timeout: 900_000 }, () => {
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(all, "cases.json"), "utf8")).length, ALL_CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--cases", path.join(all, "cases.json"), "--testdata", path.join(all, "testdata")], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  const failed = [...r.stdout.matchAll(/^FAIL (\S+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(failed, Object.keys(ALL_KNOWN_FAILURES).sort(), r.stdout);
  assert.equal(Number(summary[3]), ALL_SKIPPED);
  assert.equal(Number(summary[1]), ALL_CASES - ALL_SKIPPED - failed.length);
});

// User injection templates (a template printing Istio's template data and functions) rendered by the real istioctl
// 1.30.3 (test/conformance/istioctl-inject-templates/README.md): the template path field by field against Go.
const tpl = path.join(root, "test/conformance/istioctl-inject-templates");
const TPL_CASES = 3;

it("passes every istioctl 1.30.3 golden of a user injection template", { timeout: 600_000 }, () => {
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(tpl, "cases.json"), "utf8")).length, TPL_CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--cases", path.join(tpl, "cases.json"), "--testdata", path.join(tpl, "testdata")], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout);
  assert.equal(Number(summary[1]), TPL_CASES);
});
