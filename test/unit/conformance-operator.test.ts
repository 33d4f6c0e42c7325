// Guards Istio compatibility of rendering: the shared Istio 1.30.3 `manifest generate` corpus
// (../shared/conformance/istio-operator) must report equal object inventories for every case (webhook
// configurations excepted, as the corpus documents). Skipped when the shared folder is not beside the checkout.
import { it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const runner = path.resolve(root, "../shared/conformance/istio-operator/run.mjs");

it("renders the same objects as istioctl manifest generate 1.30.3 on every shared case", { skip: !fs.existsSync(runner) && "../shared not present", timeout: 600_000 }, () => {
  const r = spawnSync(process.execPath, [runner], { cwd: root, encoding: "utf8" });
  const summary = /conformance: (\d+) passed, (\d+) failed/.exec(r.stdout);
  assert.ok(summary, `no summary line in:\n${r.stdout}\n${r.stderr}`);
  assert.equal(Number(summary[2]), 0, r.stdout.split("\n").filter((l) => !l.startsWith("PASS")).join("\n"));
  for (const c of ["profile-default", "profile-demo", "profile-minimal"]) assert.match(r.stdout, new RegExp(`^PASS ${c} `, "m"));
});
