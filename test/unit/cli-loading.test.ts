// How the CLI loads: only the invoked command's module, so the offline commands never load the Kubernetes
// client or express; every command still listed by `pilotfish --help`; a command that fails to load fails
// loudly; the compiled bin refuses to run without dist/. The spawned checks run the real bin over dist/
// (built here first, so the file also passes on its own).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, Help } from "commander";
import { COMMANDS, buildProgram, invokedCommand, main, type CliIO, type CommandModule, type RegisterCommand } from "../../src/cli/main.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/pilotfish.mjs");
const HEAVY = /\/node_modules\/(@kubernetes\/client-node|express)\//;

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`;

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    io: { stdout: (s) => void (out += s), stderr: (s) => void (err += s), readStdin: async () => "" },
    out: () => out,
    err: () => err,
  };
}

describe("compiled CLI: modules loaded per command", () => {
  let dir: string;
  let register: string;

  before(() => {
    const b = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
    assert.equal(b.status, 0, `build failed:\n${b.stdout}\n${b.stderr}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-loading-"));
    // A resolve hook that records every module URL the process loads through import (ESM and the first
    // import of a CommonJS package alike): the only way in for client-node (ESM) and express (CJS).
    fs.writeFileSync(
      path.join(dir, "hook.mjs"),
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.PF_LOAD_LOG) appendFileSync(process.env.PF_LOAD_LOG, r.url + "\\n");
  return r;
}
`,
    );
    register = path.join(dir, "register.mjs");
    fs.writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "hook.mjs")).href)});\n`);
    fs.writeFileSync(path.join(dir, "vs.yaml"), VS);
  });

  function loaded(args: string[]): { code: number | null; urls: string[]; stdout: string; stderr: string } {
    const log = path.join(dir, `load-${Math.random().toString(36).slice(2)}.log`);
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, bin, ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PF_LOAD_LOG: log },
    });
    const urls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    return { code: r.status, urls, stdout: r.stdout, stderr: r.stderr };
  }

  const offline: [string, (d: string) => string[]][] = [
    ["--help", () => ["--help"]],
    ["validate -f", (d) => ["validate", "-f", path.join(d, "vs.yaml")]],
    ["kube-inject -f", () => ["kube-inject", "-f", path.join(root, "examples/bookinfo-details.yaml")]],
    ["manifest generate", () => ["manifest", "generate", "--set", "profile=minimal"]],
    ["profile list", () => ["profile", "list"]],
    ["validate --help", () => ["validate", "--help"]],
  ];
  for (const [label, args] of offline) {
    it(`${label} loads neither @kubernetes/client-node nor express`, () => {
      const r = loaded(args(dir));
      assert.equal(r.code, 0, r.stderr);
      // The hook did run: it saw the bundle's entry.
      assert.ok(r.urls.some((u) => u.endsWith("/dist/cli/main.js")), `hook saw nothing:\n${r.urls.join("\n")}`);
      const heavy = r.urls.filter((u) => HEAVY.test(u));
      assert.deepEqual(heavy, [], `loaded:\n${heavy.join("\n")}`);
    });
  }

  it("bin without dist/ exits 2 and says to run make build", () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "pf-nodist-"));
    fs.mkdirSync(path.join(copy, "bin"));
    fs.copyFileSync(bin, path.join(copy, "bin/pilotfish.mjs"));
    const r = spawnSync(process.execPath, [path.join(copy, "bin/pilotfish.mjs"), "--help"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /make build/);
    assert.equal(r.stdout, "");
  });

  it("unknown command exits 2 with a suggestion", () => {
    const r = loaded(["valdate", "-f", "x.yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'valdate'/);
    assert.match(r.stderr, /Did you mean validate\?/);
  });
});

describe("command table", () => {
  async function loadAll(): Promise<Map<CommandModule, RegisterCommand>> {
    const all = new Map<CommandModule, RegisterCommand>();
    for (const m of COMMANDS) all.set(m, await m.load());
    return all;
  }

  it("matches the modules: same commands, help lines and descriptions, in order", async () => {
    const all = await loadAll();
    const { io } = capture();
    const full = buildProgram(io, { code: 0 }, all);
    const help = new Help();
    const real = full.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() }));
    assert.deepEqual(
      COMMANDS.flatMap((m) => m.commands).map((c) => ({ name: c.name, term: c.term, description: c.description })),
      real,
    );
  });

  it("lists every command module of src/cli (a module exporting register*(program, ...) must be in COMMANDS)", () => {
    const cli = path.join(root, "src/cli");
    const mainSrc = fs.readFileSync(path.join(cli, "main.ts"), "utf8");
    const modules = fs
      .readdirSync(cli)
      .filter((f) => f.endsWith(".ts") && f !== "main.ts")
      .filter((f) => /export (async )?function register\w*\(\s*program\b/.test(fs.readFileSync(path.join(cli, f), "utf8")));
    assert.ok(modules.length >= 7, modules.join(", "));
    for (const f of modules) assert.ok(mainSrc.includes(`import("./${f.replace(/\.ts$/, ".js")}")`), `src/cli/${f} registers a command but main.ts COMMANDS does not load it`);
  });

  it("--help lists every command with the same lines as the fully loaded program", async () => {
    const all = await loadAll();
    const lazy = capture();
    assert.equal(await main(["--help"], lazy.io), 0);
    const full = capture();
    const program: Command = buildProgram(full.io, { code: 0 }, all);
    program.outputHelp();
    assert.equal(lazy.out(), full.out());
    for (const c of COMMANDS.flatMap((m) => m.commands)) assert.ok(lazy.out().includes(`  ${c.term}`), c.name);
  });

  it("<cmd> --help and help <cmd> show the command's own flags", async () => {
    for (const argv of [["validate", "--help"], ["help", "validate"]]) {
      const c = capture();
      assert.equal(await main(argv, c.io), 0);
      assert.match(c.out(), /Usage: pilotfish validate/);
      assert.match(c.out(), /--filename/);
    }
  });

  it("a command whose module fails to load exits non-zero with the error", async () => {
    const broken = COMMANDS.map((m) =>
      m.commands.some((c) => c.name === "validate") ? { ...m, load: () => Promise.reject(new Error("Cannot find module './missing.js'")) } : m,
    );
    const c = capture();
    const code = await main(["validate", "-f", "x.yaml"], c.io, broken);
    assert.equal(code, 1);
    assert.match(c.err(), /cannot load the validate command/);
    assert.match(c.err(), /missing\.js/);
    // The other commands are unaffected.
    const ok = capture();
    assert.equal(await main(["profile", "list"], ok.io, broken), 0);
  });

  it("invokedCommand reads the command word", () => {
    assert.equal(invokedCommand(["validate", "-f", "x"]), "validate");
    assert.equal(invokedCommand(["help", "serve"]), "serve");
    assert.equal(invokedCommand(["--help"]), undefined);
    assert.equal(invokedCommand([]), undefined);
  });
});
