#!/usr/bin/env node
// Production build: bundles src/cli/main.ts into dist/ (ESM, Node 20) with esbuild. Code splitting keeps each
// command's module (and whatever only it imports) in its own chunk, loaded on demand by main.ts, so `validate`
// never reads @kubernetes/client-node or express from disk.
//
// npm packages stay external (read from node_modules at run time) except the pure-JavaScript ones the offline
// commands use (INLINE below): bundling commander and js-yaml cut `validate -f` from 51 to 46.5 MiB peak RSS and
// ~7% CPU; yaml and re2js (validate's positions and regexes) from 55 to 48.6 MiB and 110 to 88 ms CPU
// (farm-bench, 15-20 runs each). The big or path-sensitive ones stay out: @kubernetes/client-node and express (only
// serve/operator/install load them), pino (its transports load worker files by path), prom-client, selfsigned.
// Type checking is `make typecheck` (tsc --noEmit); this only transpiles and bundles.
//
// The new tree is written next to dist/ and swapped in with two renames, so a test or a bench that spawns
// bin/pilotfish.mjs while someone rebuilds never sees a half-written dist/.
//
// Usage: node scripts/build.mjs [--metafile]   (--metafile also writes dist/meta.json, for esbuild's analyzer)
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const tmp = `${dist}.tmp-${process.pid}`;
const old = `${dist}.old-${process.pid}`;

// One entry point: the CLI. Its chunks sit one directory below dist/ (dist/chunks/), as the entry does
// (dist/cli/), so src-relative paths computed at run time (profiles.ts walking up to package.json) still work.
// An import whose path is computed at run time would not be bundled and would point nowhere in dist/: the
// build refuses them (see the check after the build).
const entryPoints = { "cli/main": "src/cli/main.ts" };

const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const INLINE = new Set(["commander", "js-yaml", "yaml", "re2js", "fast-json-patch"]);
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }).filter((d) => !INLINE.has(d));

// What `pilotfish version` prints about this build: the package version, the commit (with -dirty when the work
// tree has uncommitted changes to tracked files) and the build time (SOURCE_DATE_EPOCH when set, for reproducible
// builds).
const git = (args) => {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
};
const commit = git(["rev-parse", "HEAD"]);
const buildInfo = {
  version: pkg.version,
  gitCommit: commit ? commit + (git(["status", "--porcelain", "--untracked-files=no"]) ? "-dirty" : "") : "unknown",
  buildDate: new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now()).toISOString().replace(/\.\d+Z$/, "Z"),
};

const started = Date.now();
fs.rmSync(tmp, { recursive: true, force: true });
try {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external,
    // CommonJS packages bundled into ESM call require() for Node's built-ins: give every chunk one.
    banner: { js: 'import { createRequire as __pfCreateRequire } from "node:module"; const require = __pfCreateRequire(import.meta.url);' },
    chunkNames: "chunks/[name]-[hash]",
    define: { __PILOTFISH_BUILD__: JSON.stringify(buildInfo) },
    sourcemap: true,
    sourcesContent: false,
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const computed = [];
  for (const out of Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"))) {
    const text = fs.readFileSync(path.join(root, out), "utf8");
    for (const m of text.matchAll(/\bimport\(\s*(?!["'`])([^)]{0,60})/g)) computed.push(`${path.relative(tmp, path.join(root, out))}: import(${m[1]}`);
  }
  if (computed.length) throw new Error(`dynamic import with a computed path (not bundled, breaks in dist/; use a string literal):\n  ${computed.join("\n  ")}`);
  if (process.argv.includes("--metafile")) fs.writeFileSync(path.join(tmp, "meta.json"), JSON.stringify(result.metafile));
} catch (e) {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.error(`build failed: ${e.message ?? e}`);
  process.exit(1);
}
// Swap in. Two builds at once (two test runs) may race here: whoever finds dist/ back in place moves it aside again.
for (let attempt = 0; ; attempt++) {
  try {
    if (fs.existsSync(dist)) fs.renameSync(dist, `${old}-${attempt}`);
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  try {
    fs.renameSync(tmp, dist);
    break;
  } catch (e) {
    if ((e.code !== "ENOTEMPTY" && e.code !== "EEXIST") || attempt >= 10) throw e;
  }
}
for (const f of fs.readdirSync(root)) if (f.startsWith(path.basename(old))) fs.rmSync(path.join(root, f), { recursive: true, force: true });
console.log(`dist/ built in ${Date.now() - started} ms`);
