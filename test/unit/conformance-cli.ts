// Shared by the conformance tests: the project root, and a clear single failure when the CLI the runners spawn cannot
// start (e.g. dist/ not built).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The runner spawns the package's bin (or PILOTFISH_CMD): fail once, clearly, when it cannot start. */
export function cliWorks(): void {
  const cmd = process.env.PILOTFISH_CMD?.split(/\s+/).filter(Boolean) ?? [process.execPath, path.join(root, "bin/pilotfish.mjs")];
  const r = spawnSync(cmd[0], [...cmd.slice(1), "--help"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `the pilotfish CLI does not start (run \`make build\` first?):\n${r.stderr}`);
}
