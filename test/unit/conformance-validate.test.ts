// Guards Istio compatibility of validation: Istio 1.30.3's validation corpus, copied into
// test/conformance/istio-validate (see test/conformance/README.md), where Istio's verdict is schema + webhook as a
// `kubectl apply` user sees it. The known disagreement is listed below and in the README; any new one fails this
// test. The corpus is in the tree, so this runs on any clone and never skips.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The runner spawns the package's bin (or PILOTFISH_CMD): fail once, clearly, when it cannot start (e.g. not built). */
function cliWorks(): void {
  const cmd = process.env.PILOTFISH_CMD?.split(/\s+/).filter(Boolean) ?? [process.execPath, path.join(root, "bin/pilotfish.mjs")];
  const r = spawnSync(cmd[0], [...cmd.slice(1), "--help"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `the pilotfish CLI does not start (run \`make build\` first?):\n${r.stderr}`);
}
const corpus = path.join(root, "test/conformance/istio-validate");
const runner = path.join(corpus, "run.mjs");
// Istio decodes EnvoyFilter patch values into Envoy's typed protos; pilotfish does not carry Envoy's API.
const KNOWN = ["0674-envoyfilter-invalid-patch-value"];
// Today's numbers: 441 passed, 1 failed (the known case), 1 skipped (not expressible: depends on the YAML parser).
const CASES = 443;
const PASSED = 441;
const SKIPPED = 1;

it("agrees with Istio's verdict on the validation corpus except the known case (441 of 443)", { timeout: 1_800_000 }, () => {
  assert.ok(fs.existsSync(runner), `missing ${runner}`);
  cliWorks();
  assert.equal(JSON.parse(fs.readFileSync(path.join(corpus, "cases.json"), "utf8")).length, CASES, "cases.json changed size");
  const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const summary = /conformance: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  const failed = [...r.stdout.matchAll(/^FAIL cases\/(\S+)\.yaml/gm)].map((m) => m[1]);
  assert.deepEqual(failed.filter((f) => !KNOWN.includes(f)), [], r.stdout.split("\n").filter((l) => l.startsWith("FAIL")).join("\n"));
  assert.equal(Number(summary[3]), SKIPPED, "skipped cases");
  assert.ok(Number(summary[1]) >= PASSED, `${summary[1]} passed, want at least ${PASSED}`);
  assert.equal(Number(summary[1]) + Number(summary[2]) + Number(summary[3]), CASES);
});
