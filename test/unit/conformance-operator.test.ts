// Guards Istio compatibility of rendering: istioctl 1.30.3's `manifest generate` corpus, copied into
// test/conformance/istio-operator (see test/conformance/README.md), must report equal object inventories for every
// case (webhook configurations excepted, as the corpus documents). The corpus is in the tree, so this runs on any
// clone and never skips.
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
