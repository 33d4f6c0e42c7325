// The CLI's conventions, istioctl's where it has them: `version`, `completion bash|zsh|fish`, the cluster flags
// (-c/--kubeconfig, --context, -n/--namespace, -i/--istioNamespace) on every command that talks to a cluster,
// -y/--skip-confirmation with its prompt, and the exit codes 0 ok / 1 findings / 2 usage or input / 3 no cluster.
// Most checks spawn the built bin (built here first); the prompt's answers are checked in-process through main()
// with an IO that plays the person at the terminal. No check needs a cluster (test/kind/cli-version.test.ts does).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { COMMANDS, hoistClusterFlags, main, type CliIO } from "../../src/cli/main.js";
import { confirm } from "../../src/cli/confirm.js";
import { imageTag, parseBool } from "../../src/cli/version.js";
import { listProfiles } from "../../src/config/profiles.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");
const pkgVersion = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

let dir: string;
let home: string;
let unreachable: string;
let env: NodeJS.ProcessEnv;

/** The bin, with no kubeconfig of the machine's in sight (HOME is an empty directory, KUBECONFIG unset). */
function run(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", input: opts.stdin ?? "", env: { ...env, ...opts.env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  const b = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  assert.equal(b.status, 0, `build failed:\n${b.stdout}\n${b.stderr}`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-conv-"));
  home = path.join(dir, "home");
  fs.mkdirSync(home);
  env = { ...process.env, HOME: home, KUBECONFIG: "" };
  delete env.KUBECONFIG;
  delete env.KUBERNETES_SERVICE_HOST;
  // A cluster that refuses connections at once: port 1 on loopback.
  unreachable = path.join(dir, "unreachable.kubeconfig");
  fs.writeFileSync(
    unreachable,
    `apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t}
contexts:
- name: nowhere
  context: {cluster: nowhere, user: u}
current-context: nowhere
`,
  );
  fs.writeFileSync(path.join(dir, "invalid.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad}\nspec:\n  hosts: []\n");
  fs.writeFileSync(path.join(dir, "broken.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: [unclosed\n");
});

describe("pilotfish version", () => {
  it("--remote=false prints the client version and the Istio release, exit 0, nothing on stderr", () => {
    const r = run(["version", "--remote=false"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `client version: ${pkgVersion}\nistio compatibility: 1.30.3\n`);
    assert.equal(r.stderr, "");
  });

  it("-o json carries the build: version, git commit and build date baked in by scripts/build.mjs", () => {
    const r = run(["version", "--remote=false", "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { clientVersion: Record<string, string>; meshVersion?: unknown };
    assert.equal(v.clientVersion.version, pkgVersion);
    assert.equal(v.clientVersion.istioVersion, "1.30.3");
    assert.match(v.clientVersion.gitCommit, /^([0-9a-f]{40}(-dirty)?|unknown)$/);
    assert.doesNotMatch(v.clientVersion.gitCommit, /run from source/, "the bundle has the build info");
    assert.match(v.clientVersion.buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(v.clientVersion.nodeVersion, process.version);
    assert.equal(v.meshVersion, undefined, "no remote part with --remote=false");
    const y = parseYaml(run(["version", "--remote=false", "-o", "yaml"]).stdout) as typeof v;
    assert.deepEqual(y, v);
  });

  it("--remote=false loads neither @kubernetes/client-node nor express (it never needs a cluster)", () => {
    const hook = path.join(dir, "hook.mjs");
    const log = path.join(dir, "loaded.log");
    fs.writeFileSync(hook, `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`);
    const register = path.join(dir, "register.mjs");
    fs.writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify("file://" + hook)});\n`);
    const r = spawnSync(process.execPath, ["--import", "file://" + register, bin, "version", "--remote=false"], { cwd: root, encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    const urls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
    assert.ok(urls.some((u) => u.endsWith("/dist/cli/main.js")), "the hook saw the bundle");
    assert.deepEqual(urls.filter((u) => /\/node_modules\/(@kubernetes\/client-node|express)\//.test(u)), []);
  });

  it("--short=false prints the long form", () => {
    const r = run(["version", "--remote=false", "--short=false"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^client version: ${pkgVersion.replace(/\./g, "\\.")} \\(git commit \\S+, built \\S+, Node\\.js v\\d+`));
  });

  it("without a cluster: the client version on stdout, why there is no more on stderr, exit 3", () => {
    const r = run(["version"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^client version: /);
    assert.match(r.stderr, /no cluster configured/);
    assert.match(r.stderr, /--remote=false/);
    const j = run(["version", "-o", "json", "--kubeconfig", unreachable]);
    assert.equal(j.code, 3);
    assert.equal((JSON.parse(j.stdout) as { clientVersion: { version: string } }).clientVersion.version, pkgVersion);
    assert.match(j.stderr, /cannot reach the cluster at https:\/\/127\.0\.0\.1:1 \(context "nowhere"\): .*ECONNREFUSED/);
  });

  it("rejects a bad -o or a non-boolean --short with exit 2", () => {
    assert.equal(run(["version", "--remote=false", "-o", "xml"]).code, 2);
    const s = run(["version", "--short=maybe"]);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /"maybe" is not a boolean/);
  });

  it("image tags and Go booleans", () => {
    assert.equal(imageTag("docker.io/istio/pilot:1.30.3"), "1.30.3");
    assert.equal(imageTag("localhost:5000/pilotfish:0.1.0@sha256:abc"), "0.1.0");
    assert.equal(imageTag("localhost:5000/pilotfish"), "latest");
    assert.equal(imageTag("pilotfish@sha256:abc"), "sha256:abc");
    assert.equal(parseBool("F"), false);
    assert.equal(parseBool("1"), true);
    assert.throws(() => parseBool("yes"));
  });
});

describe("pilotfish completion", () => {
  const commandNames = COMMANDS.flatMap((m) => m.commands.map((c) => c.name));

  /** Runs the bash script's completion function on a command line (the cursor at its end). */
  function bashComplete(script: string, lines: string[]): string[] {
    const file = path.join(dir, "pilotfish.bash");
    fs.writeFileSync(file, script);
    const body = lines.map((l) => `COMP_LINE=${JSON.stringify(l)}; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _pilotfish; echo "\${COMPREPLY[*]}"`).join("\n");
    const r = spawnSync("bash", ["-c", `source ${JSON.stringify(file)}\n${body}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").slice(0, lines.length);
  }

  it("bash: the script sources, registers `complete -F _pilotfish pilotfish`, and completes commands, flags and profiles", () => {
    const r = run(["completion", "bash"]);
    assert.equal(r.code, 0, r.stderr);
    const reg = spawnSync("bash", ["-c", `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} completion bash) && complete -p pilotfish`], { encoding: "utf8", env });
    assert.equal(reg.status, 0, reg.stderr);
    assert.equal(reg.stdout.trim(), "complete -o default -F _pilotfish pilotfish");
    const profiles = listProfiles();
    const [top, pro, flags, setProfile, setShort, dump, leading, out, shells, eq] = bashComplete(r.stdout, [
      "pilotfish ",
      "pilotfish profile d",
      "pilotfish install --sk",
      "pilotfish install --set profile=de",
      "pilotfish manifest generate -s ",
      "pilotfish profile dump ",
      "pilotfish -n ns -i istio-system ver",
      "pilotfish version -o ",
      "pilotfish completion ",
      "pilotfish version --output=js",
    ]);
    assert.deepEqual(top.split(" ").sort(), [...commandNames].sort());
    assert.equal(pro, "dump diff");
    assert.equal(flags, "--skip-confirmation");
    assert.equal(setProfile, "default demo", "bash completes after the '=' it splits at");
    assert.deepEqual(setShort.split(" "), profiles.map((p) => `profile=${p}`));
    assert.deepEqual(dump.split(" "), profiles);
    assert.equal(leading, "version", "cluster flags before the command are skipped with their values");
    assert.equal(out, "yaml json");
    assert.equal(shells, "bash zsh fish");
    assert.equal(eq, "json");
  });

  it("bash: every command's flags are offered, the cluster flags on every cluster command", () => {
    const r = run(["completion", "bash"]);
    const cluster = ["-c", "--kubeconfig", "--context", "-n", "--namespace", "-i", "--istioNamespace"];
    const lines = bashComplete(r.stdout, ["pilotfish install -", "pilotfish uninstall -", "pilotfish operator -", "pilotfish serve -", "pilotfish version -", "pilotfish validate -"]);
    for (const [i, cmd] of ["install", "uninstall", "operator", "serve", "version"].entries()) {
      const offered = lines[i].split(" ");
      for (const f of cluster) assert.ok(offered.includes(f), `${cmd}: ${f} not offered: ${lines[i]}`);
    }
    for (const f of ["-y", "--skip-confirmation", "--purge"]) assert.ok(lines[1].split(" ").includes(f), f);
    assert.ok(!lines[5].split(" ").includes("--kubeconfig"), "validate is offline");
  });

  it("zsh: a #compdef script that parses (zsh -n when zsh is installed)", () => {
    const r = run(["completion", "zsh"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#compdef pilotfish\n/);
    assert.match(r.stdout, /compdef _pilotfish pilotfish/);
    for (const c of commandNames) assert.match(r.stdout, new RegExp(`'${c}:`), c);
    assert.match(r.stdout, /'profile=demo'/);
    if (has("zsh")) {
      const file = path.join(dir, "_pilotfish");
      fs.writeFileSync(file, r.stdout);
      const z = spawnSync("zsh", ["-n", file], { encoding: "utf8" });
      assert.equal(z.status, 0, z.stderr);
      // With the completion system's functions stubbed, _pilotfish offers what bash does.
      const t = spawnSync("zsh", ["-c", `compdef() { :; }; compadd() { shift; print -r -- "$*"; }; _describe() { print -r -- "\${(P)4}"; }; _files() { print files; }; _message() { :; }
source ${JSON.stringify(file)}
words=(pilotfish profile dump ''); CURRENT=4; _pilotfish
words=(pilotfish install --set ''); CURRENT=4; _pilotfish
words=(pilotfish -n x ve); CURRENT=4; _pilotfish`], { encoding: "utf8" });
      assert.equal(t.status, 0, t.stderr);
      const [dump, files, set, top] = t.stdout.split("\n");
      assert.equal(dump, listProfiles().join(" "));
      assert.equal(files, "files", "profile dump also takes an IstioOperator file");
      assert.equal(set, listProfiles().map((p) => `profile=${p}`).join(" "));
      assert.match(top, /version:print the client version/);
    }
  });

  it("fish: complete lines for every command (fish -n and complete -C when fish is installed)", () => {
    const r = run(["completion", "fish"]);
    assert.equal(r.code, 0, r.stderr);
    for (const c of commandNames) assert.match(r.stdout, new RegExp(`-n '__pilotfish_at \\\\'\\\\'' -a '${c}'`), c);
    assert.match(r.stdout, /-l skip-confirmation/);
    if (has("fish")) {
      const file = path.join(dir, "pilotfish.fish");
      fs.writeFileSync(file, r.stdout);
      const f = spawnSync("fish", ["-n", file], { encoding: "utf8" });
      assert.equal(f.status, 0, f.stderr);
      const c = spawnSync("fish", ["-c", `source ${file}; complete -C'pilotfish profile dump de'; echo ==; complete -C'pilotfish install --set '; echo ==; complete -C'pilotfish -i x vers'`], { encoding: "utf8", env });
      assert.equal(c.status, 0, c.stderr);
      const [dump, set, top] = c.stdout.split("==\n").map((s) => s.trim().split("\n").map((l) => l.split("\t")[0]));
      assert.deepEqual(dump, ["default", "demo"]);
      assert.deepEqual(set, listProfiles().map((p) => `profile=${p}`));
      assert.deepEqual(top, ["version"]);
    }
  });

  it("an unknown shell is a usage error (exit 2)", () => {
    const r = run(["completion", "tcsh"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Allowed choices are bash, zsh, fish/);
  });
});

describe("cluster flags", () => {
  const clusterCommands = ["install", "uninstall", "operator", "serve", "version"];

  it("every cluster command lists -c/--kubeconfig, --context, -n/--namespace and -i/--istioNamespace in its help", () => {
    for (const c of clusterCommands) {
      const r = run([c, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      for (const f of ["-c, --kubeconfig <file>", "--context <name>", "-n, --namespace <ns>", "-i, --istioNamespace <ns>"]) assert.ok(r.stdout.includes(f), `${c}: ${f}`);
      assert.match(r.stdout, /Cluster flags/);
    }
  });

  it("are parsed on every cluster command (each run stops at a later, unrelated check)", () => {
    const flags = ["-c", unreachable, "--context", "nowhere"];
    const op = run(["operator", ...flags, "-n", "shop", "-i", "istio-system", "--workers", "0"]);
    assert.equal(op.code, 2);
    assert.match(op.stderr, /--workers "0"/);
    const sv = run(["serve", ...flags, "-n", "pilotfish-system", "-i", "istio-system", "--port", "nope"]);
    assert.equal(sv.code, 2);
    assert.match(sv.stderr, /--port "nope"/);
    const un = run(["uninstall", ...flags]);
    assert.equal(un.code, 2);
    assert.match(un.stderr, /at least one of --revision, --filename or --purge/);
    const inst = run(["install", ...flags, "--readiness-timeout", "soon"]);
    assert.equal(inst.code, 2);
    assert.match(inst.stderr, /--readiness-timeout "soon"/);
    const v = run(["version", ...flags, "-n", "x", "-i", "y", "--remote=false"]);
    assert.equal(v.code, 0, v.stderr);
  });

  it("may come before the command, as istioctl's global flags do", () => {
    const r = run(["-i", "istio-system", "--namespace=x", "-c", unreachable, "version", "--remote=false"]);
    assert.equal(r.code, 0, r.stderr);
    const u = run(["--kubeconfig", unreachable, "install", "-y", "--set", "profile=minimal"]);
    assert.equal(u.code, 3, u.stderr);
    assert.deepEqual(hoistClusterFlags(["-n", "a", "--context=b", "version", "-o", "json"]), ["version", "-o", "json", "-n", "a", "--context=b"]);
    assert.deepEqual(hoistClusterFlags(["-i", "x", "kube-inject", "--", "-f"]), ["kube-inject", "-i", "x", "--", "-f"]);
    assert.deepEqual(hoistClusterFlags(["validate", "-n", "a"]), ["validate", "-n", "a"], "only flags before the command move");
    assert.deepEqual(hoistClusterFlags(["-n"]), ["-n"]);
  });

  it("a command with no use for -n or -i refuses it (exit 2) instead of ignoring it", () => {
    const n = run(["install", "-n", "shop", "--set", "profile=minimal"]);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /-n\/--namespace: not used by `pilotfish install`: .*values\.global\.istioNamespace/);
    const i = run(["uninstall", "--purge", "-y", "-i", "other"]);
    assert.equal(i.code, 2);
    assert.match(i.stderr, /-i\/--istioNamespace: not used by `pilotfish uninstall`/);
    assert.equal(run(["validate", "-n", "x", "-f", path.join(dir, "invalid.yaml")]).code, 2, "offline commands have no cluster flags");
  });
});

describe("exit codes", () => {
  // [label, args, expected code, stderr pattern]
  const table: [string, () => string[], number, RegExp?][] = [
    ["profile list", () => ["profile", "list"], 0],
    ["profile diff of the same profile", () => ["profile", "diff", "default", "default"], 0],
    ["validate with an invalid resource", () => ["validate", "-f", path.join(dir, "invalid.yaml")], 1],
    ["profile diff of different profiles", () => ["profile", "diff", "default", "demo"], 1],
    ["an unknown flag", () => ["validate", "--bogus"], 2, /unknown option '--bogus'/],
    ["an unknown command", () => ["valdate"], 2, /unknown command/],
    ["broken YAML", () => ["validate", "-f", path.join(dir, "broken.yaml")], 2, /invalid YAML/],
    ["broken YAML to kube-inject", () => ["kube-inject", "-f", path.join(dir, "broken.yaml")], 2, /invalid YAML/],
    ["an unknown profile", () => ["manifest", "generate", "--set", "profile=nope"], 2, /profile "nope" not found/],
    ["an unknown profile to profile dump", () => ["profile", "dump", "nope"], 2, /profile "nope" not found/],
    ["profile diff with an unknown profile", () => ["profile", "diff", "default", "nope"], 2, /profile "nope" not found/],
    ["an invalid IstioOperator path", () => ["manifest", "generate", "--set", "valuez.x=1"], 2, /valuez/],
    ["install with no cluster configured", () => ["install", "--set", "profile=minimal"], 3, /no cluster configured/],
    ["uninstall with no cluster configured", () => ["uninstall", "--revision", "default"], 3, /no cluster configured/],
    ["install with an unreachable cluster", () => ["install", "-y", "--set", "profile=minimal", "--kubeconfig", unreachable], 3, /cannot reach the cluster at https:\/\/127\.0\.0\.1:1/],
    ["a kubeconfig that does not exist", () => ["uninstall", "-r", "canary", "--kubeconfig", path.join(dir, "missing")], 3, /cannot load kubeconfig/],
  ];
  for (const [label, args, code, err] of table) {
    it(`${code}: ${label}`, () => {
      const r = run(args());
      assert.equal(r.code, code, `${r.stdout}\n${r.stderr}`);
      if (err) assert.match(r.stderr, err);
    });
  }

  it("no cluster is said as such, not as client-node's skipTLSVerify complaint", () => {
    const r = run(["install", "--set", "profile=minimal"]);
    assert.match(r.stderr, /no cluster configured: set KUBECONFIG, pass --kubeconfig/);
    assert.doesNotMatch(r.stderr, /HTTP protocol is not allowed/);
  });
});

describe("confirmation (-y/--skip-confirmation)", () => {
  it("uninstall --purge without a terminal and without -y refuses with exit 2, before touching any cluster", () => {
    const r = run(["uninstall", "--purge", "--kubeconfig", unreachable]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CustomResourceDefinitions/);
    assert.match(r.stderr, /stdin is not a terminal: pass -y\/--skip-confirmation to proceed/);
    assert.doesNotMatch(r.stderr, /cannot reach/);
  });

  it("with -y it proceeds (and then finds the cluster unreachable: exit 3)", () => {
    for (const y of ["-y", "--skip-confirmation"]) {
      const r = run(["uninstall", "--purge", y, "--kubeconfig", unreachable]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /cannot reach the cluster/);
    }
  });

  it("--dry-run does not ask", () => {
    const r = run(["uninstall", "--purge", "--dry-run", "--kubeconfig", unreachable]);
    assert.equal(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /pass -y/);
  });

  /** A terminal whose person gives these answers, in order. */
  function terminal(answers: (string | null)[]) {
    let out = "";
    let err = "";
    const asked: string[] = [];
    const io: CliIO = {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      readStdin: async () => "",
      isInteractive: () => true,
      ask: async (q) => {
        asked.push(q);
        return answers.length ? answers.shift()! : null;
      },
    };
    return { io, asked, out: () => out, err: () => err };
  }

  it("on a terminal: no cancels with exit 1, yes goes on (to the unreachable cluster: exit 3), anything else asks again", async () => {
    const no = terminal(["n"]);
    assert.equal(await main(["uninstall", "--purge", "--kubeconfig", unreachable], no.io), 1);
    assert.deepEqual(no.asked, ["Proceed? (y/N) "]);
    assert.match(no.err(), /Cancelled\./);
    assert.doesNotMatch(no.err(), /cannot reach/);
    const yes = terminal(["maybe", "YES"]);
    assert.equal(await main(["uninstall", "--purge", "--kubeconfig", unreachable], yes.io), 3);
    assert.equal(yes.asked.length, 2);
    assert.match(yes.err(), /cannot reach the cluster/);
    const eof = terminal([]);
    assert.equal(await main(["uninstall", "--purge", "--kubeconfig", unreachable], eof.io), 1, "end of input is a no");
  });

  it("confirm(): -y says what happens and asks nothing", async () => {
    const t = terminal(["n"]);
    assert.equal(await confirm({ message: "This removes everything.", skip: true }, t.io), undefined);
    assert.deepEqual(t.asked, []);
    assert.equal(t.err(), "This removes everything.\n");
    const empty = terminal([""]);
    assert.equal(await confirm({ message: "x", skip: false }, empty.io), 1, "the default answer is no");
  });
});
