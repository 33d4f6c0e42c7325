// Guards Istio compatibility of `pilotfish analyze`: Istio 1.30.3's analyzer test table, copied into
// test/conformance/istio-analyze (see test/conformance/README.md). A case passes when pilotfish reports exactly
// the {code, resource} pairs Istio's test expects, counted (--multiset). Every case passes; any failure fails
// this test.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { cliWorks, root } from "./conformance-cli.js";
const corpus = path.join(root, "test/conformance/istio-analyze");
const runner = path.join(corpus, "run.mjs");
const KNOWN: string[] = [];
const CASES = 33;
const PASSED = 33;

it("reports what Istio's analyzers report on their own test cases (33 of 33)", { timeout: 600_000 }, () => {
  assert.ok(fs.existsSync(runner), `missing ${runner}`);
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(corpus, "cases.json"), "utf8")).length, CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--multiset", "--jobs", "2"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /analyze conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  const failed = [...r.stdout.matchAll(/^FAIL (.+?)(?:  -- .*)?$/gm)].map((m) => m[1]);
  assert.deepEqual(failed.filter((f) => !KNOWN.includes(f)), [], r.stdout.split("\n").filter((l) => l.startsWith("FAIL")).join("\n"));
  assert.ok(Number(summary[1]) >= PASSED, `${summary[1]} passed, want at least ${PASSED}`);
  assert.equal(Number(summary[1]) + Number(summary[2]) + Number(summary[3]), CASES);
});

// The whole table (100 entries; the shared corpus above keeps 33), transcribed by test/conformance/istio-analyze-all/
// gen.mjs. The one skipped entry is annotations.AlphaAnalyzer, which istioctl never runs.
const all = path.join(root, "test/conformance/istio-analyze-all");
it("reports what Istio's analyzers report on their whole test table (99 of 99, 1 not run by istioctl)", { timeout: 600_000 }, () => {
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(all, "cases.json"), "utf8")).length, 100, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner, "--cases", path.join(all, "cases.json"), "--multiset", "--jobs", "2"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /analyze conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(r.stdout.split("\n").filter((l) => l.startsWith("FAIL")), []);
  assert.equal(Number(summary[1]), 99);
  assert.equal(Number(summary[3]), 1);
});
