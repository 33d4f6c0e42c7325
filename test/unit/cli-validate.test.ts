// `pilotfish validate` as a user runs it: files, directories, stdin, exit codes, text and JSON output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");
const run = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8", cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const GOOD = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
`;
const TYPO = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBBIN}
`;
const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
`;

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-validate-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("pilotfish validate", () => {
  it("exits 0 when every resource in a multi-document stream is valid, skipping non-Istio kinds", () => {
    const r = run(["validate", "-f", "-"], `${GOOD}---\n${CONFIGMAP}`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /VirtualService\/reviews: valid/);
    assert.match(r.stdout, /ConfigMap\/c: skipped/);
    assert.match(r.stderr, /1 resource\(s\) checked, 0 invalid/);
  });

  it("exits 1 and names file, line, field and the fix for an invalid resource found recursively in a directory", () => {
    const dir = tree({ "a/good.yaml": GOOD, "b/deeper/bad.yml": `${CONFIGMAP}---\n${TYPO}`, "notes.txt": "not yaml: [" });
    const r = run(["validate", "-f", dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    // file:line:column of the misspelt value's key, not only of its document (which starts at line 5)
    assert.match(r.stdout, /bad\.yml:11:\d+ DestinationRule\/reviews: spec\.trafficPolicy\.loadBalancer\.simple: unsupported value "ROUND_ROBBIN"; did you mean "ROUND_ROBIN"\?/);
    assert.match(r.stdout, /good\.yaml:1 VirtualService\/reviews: valid/);
    assert.doesNotMatch(r.stdout + r.stderr, /notes\.txt/, "only *.yaml, *.yml and *.json are read");
  });

  it("exits 2 with file and line on broken YAML, and on a missing file", () => {
    const dir = tree({ "broken.yaml": `${GOOD}---\napiVersion: v1\nkind: [unclosed\n` });
    const r = run(["validate", "-f", path.join(dir, "broken.yaml")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yaml:\d+/);
    const missing = run(["validate", "-f", path.join(dir, "nope.yaml")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.yaml: ENOENT/);
  });

  it("-o json gives machines every error with its path", () => {
    const r = run(["validate", "-o", "json", "-f", "-"], TYPO.replace("networking.istio.io/v1", "networking.istio.io/v1beat1"));
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.valid, false);
    const errs = out.resources[0].errors;
    assert.ok(errs.some((e: any) => e.path === "apiVersion" && /did you mean "networking\.istio\.io\/v1beta1"/.test(e.message)), JSON.stringify(errs));
    assert.ok(errs.some((e: any) => e.path === "spec.trafficPolicy.loadBalancer.simple"), JSON.stringify(errs));
  });

  it("rejects an unknown output format with exit 2", () => {
    const r = run(["validate", "-o", "xml", "-f", "-"], GOOD);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--output must be text or json/);
  });

  it("nothing to check is an error: no -f, an empty directory, a file without documents (exit 2)", () => {
    const none = run(["validate"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /-f, --filename/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "pf-empty-"));
    const dir = run(["validate", "-f", empty]);
    assert.equal(dir.code, 2);
    assert.match(dir.stderr, /no \*\.yaml, \*\.yml or \*\.json files under/);
    const blank = path.join(empty, "blank.yaml");
    fs.writeFileSync(blank, "---\n# nothing here\n");
    const file = run(["validate", "-f", blank]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /no resources found in/);
  });

  it("reports schema and rule errors in one pass, each with the line and column of its field", () => {
    const vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [reviews]\n  http:\n  - match:\n    - uri:\n        regex: \"(?=x)\"\n    route:\n    - destinations:\n        host: reviews\n    timeout: banana\n";
    const r = run(["validate", "-f", "-"], vs);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /<stdin>:12:7 VirtualService\/reviews: spec\.http\[0\]\.route\[0\]\.destinations: unknown field "destinations"; did you mean "destination"\?/);
    assert.match(r.stdout, /<stdin>:10:9 VirtualService\/reviews: spec\.http\[0\]\.match\[0\]\.uri\.regex: .*RE2/, "the regex error comes in the same answer as the unknown field");
    assert.match(r.stdout, /<stdin>:14:5 VirtualService\/reviews: spec\.http\[0\]\.timeout: /);
  });
});
