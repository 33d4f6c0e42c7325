#!/usr/bin/env node
// Runs the real istioctl 1.30.3 `analyze --use-kube=false` on every file of ../istio-analyze-all/testdata (each
// file alone, from inside that folder so references read `file.yaml:LINE`) and writes its JSON output per file:
//   golden/<file>.all.json      istioctl analyze --use-kube=false -A -o json <file>
//   golden/<file>.default.json  istioctl analyze --use-kube=false -o json <file>   (namespace "default")
// plus golden/index.json: per file and mode, istioctl's exit code and its stderr (the non-JSON lines).
// Usage: node test/conformance/istio-analyze-files/gen.mjs [ISTIOCTL] (default $ISTIOCTL, else istioctl on PATH)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const istioctl = process.argv[2] ?? process.env.ISTIOCTL ?? "istioctl";
const data = path.join(here, "../istio-analyze-all/testdata");
const out = path.join(here, "golden");

const files = [];
const walk = (d) => {
  for (const e of fs.readdirSync(path.join(data, d), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = d ? `${d}/${e.name}` : e.name;
    if (e.isDirectory()) walk(rel);
    else if (/\.ya?ml$/.test(e.name)) files.push(rel);
  }
};
walk("");

const index = {};
for (const f of files) {
  index[f] = {};
  for (const [mode, extra] of [["all", ["-A"]], ["default", []]]) {
    const r = spawnSync(istioctl, ["analyze", "--use-kube=false", ...extra, "-o", "json", f], { cwd: data, encoding: "utf8", timeout: 60_000 });
    let messages;
    try {
      messages = JSON.parse(r.stdout);
    } catch {
      messages = null; // istioctl printed no JSON (an input error): kept in index.json
    }
    const dest = path.join(out, `${f}.${mode}.json`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, JSON.stringify(messages, null, 2) + "\n");
    index[f][mode] = { exit: r.status, stderr: r.stderr.trim(), ...(messages === null ? { stdout: r.stdout.trim() } : {}) };
  }
}
fs.writeFileSync(path.join(out, "index.json"), JSON.stringify(index, null, 2) + "\n");
console.log(`${files.length} files, ${files.length * 2} runs`);
