// Guards Istio compatibility: the shared Istio 1.30.3 injection goldens (../shared/conformance/istio-inject)
// must keep passing through `pilotfish kube-inject`. Skipped when the shared folder is not beside the checkout.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const runner = path.resolve(root, "../shared/conformance/istio-inject/run.mjs");

it("passes every case of Istio's injection conformance corpus", { skip: !fs.existsSync(runner) && "../shared not present", timeout: 600_000 }, () => {
  const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: "utf8" });
  const summary = /conformance: (\d+) passed, (\d+) failed/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout);
  assert.ok(Number(summary[1]) > 0);
});
