// Benchmarks (make bench). Inputs are Istio 1.30.3's own injector benchmark inputs (../shared/bench/inputs).
//  1. core: the whole in-process review pipeline (JSON.parse, decide, inject, diff, base64, JSON.stringify)
//     per op, for the small pod (BenchmarkInjectServePC0) and the 2,000-env pod (BenchmarkInjection).
//  2. webhook: `pilotfish serve` over TLS in its own process, loaded by autocannon (keep-alive) at a fixed
//     rate and unbounded; p50/p99, throughput, server RSS.
//  3. with ISTIO_GIT_DIR set: Istio's Go /inject handler (../shared/bench/istio-go-bench.sh serve) under the
//     same load, so the figures sit side by side from one run.
//  4. CLI cold start: the real bin (dist/), `--help`, `validate -f` (one file), `kube-inject -f` (one
//     Deployment), 10 runs each: min/median/max wall time and peak RSS (bench/cli.ts).
//  5. serve at rest and at a fixed 1,000 req/s from vegeta (open loop, Go, bench/vegeta.ts): p50/p99 and the
//     server's RSS at rest and under that load, for pilotfish and (with ISTIO_GIT_DIR) Istio's Go handler.
// Results: bench/results/*.json and bench/results/summary.md. The targets in TARGETS are benchmarks, not
// tests: the summary says met / missed, nothing fails.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import autocannon from "autocannon";
import { coldStart, type ColdStartRow } from "./cli.js";
import { attack, ensureVegeta, statusOf, type VegetaResult } from "./vegeta.js";
import { handleInjectReview, parseAdmissionReview } from "../src/webhook/admission.js";
import { settingsFromIstioOperator } from "../src/config/injection.js";
import { templateVariants } from "./templates.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const inputs = path.resolve(root, process.env.BENCH_INPUTS ?? "../shared/bench/inputs");
const results = path.join(root, "bench", "results");
const quick = process.argv.includes("--quick");
fs.mkdirSync(results, { recursive: true });

const TARGETS = { coldStartMs: 300, restRssMB: 80, loadRssMB: 100, p99At1000Ms: 5 };
const vegeta = ensureVegeta();
if (!vegeta.bin) console.error(`vegeta not available (${vegeta.why}): the 1,000 req/s open-loop figures are skipped`);

const cases = [
  { name: "small pod (serve-review.json)", file: "serve-review.json" },
  { name: "2,000 env vars (env2000-review.json)", file: "env2000-review.json" },
];

function rssOf(pid: number): { rssMB: number; peakMB: number } {
  const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMB: +(kb("VmRSS") / 1024).toFixed(1), peakMB: +(kb("VmHWM") / 1024).toFixed(1) };
}

function benchCore() {
  // Istio's benchmarks use its test defaults (native sidecars on a 1.33+ cluster).
  const out = [];
  // The built-in templates, then the template path (bench/templates.ts): a custom template, Istio's sidecar text.
  for (const { label, settings } of templateVariants(root, settingsFromIstioOperator({}, { nativeSidecars: true })))
  for (const c of cases) {
    const body = fs.readFileSync(path.join(inputs, c.file), "utf8");
    const once = () => JSON.stringify(handleInjectReview(parseAdmissionReview(JSON.parse(body)), settings).body);
    const check = JSON.parse(once());
    if (!check.response.patch) throw new Error(`${c.file}: no patch produced`);
    const minMs = quick ? 500 : 3000;
    for (let i = 0; i < 200; i++) once();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let n = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < minMs) {
      for (let i = 0; i < 20; i++) once();
      n += 20;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const perOpMs = elapsed / n;
    out.push({ case: c.name + label, bytes: body.length, ops: n, msPerOp: +perOpMs.toFixed(4), opsPerSec: Math.round(1000 / perOpMs), heapDeltaMB: +((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1) });
  }
  return out;
}

function waitForPort(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = async () => {
      if (child.exitCode !== null) return reject(new Error(`server exited with ${child.exitCode}`));
      try {
        const r = await autocannon({ url, connections: 1, amount: 1, method: "POST", headers: { "content-type": "application/json" }, body: fs.readFileSync(path.join(inputs, "serve-review.json")) });
        if (r["2xx"] > 0) return resolve();
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) return reject(new Error(`no answer from ${url}`));
      setTimeout(tryOnce, 500);
    };
    void tryOnce();
  });
}

async function load(url: string, file: string, opts: { rate?: number; connections: number; seconds: number }) {
  const body = fs.readFileSync(path.join(inputs, file));
  const r = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
  });
  return {
    input: file,
    rateAsked: opts.rate ?? "unbounded",
    connections: opts.connections,
    seconds: opts.seconds,
    achievedPerSec: Math.round(r.requests.average),
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const SCENARIOS = [
  { file: "serve-review.json", rate: 1000, connections: 10 },
  { file: "serve-review.json", connections: 8 },
  { file: "env2000-review.json", rate: 50, connections: 4 },
  { file: "env2000-review.json", connections: 8 },
];

/** The process that actually serves: for the Go reference, the compiled test binary under `go test`. */
function serverPid(child: ChildProcess, binaryName?: string): number | undefined {
  if (!binaryName) return child.pid;
  try {
    // Only inside the child's own process group (it is started detached), never someone else's process.
    const out = execFileSync("pgrep", ["-g", String(child.pid), "-n", "-f", binaryName], { encoding: "utf8" }).trim();
    return Number(out) || undefined;
  } catch {
    return undefined;
  }
}

interface ServerRun {
  rows: (Awaited<ReturnType<typeof load>> & { server: string; rssMB?: number; peakMB?: number })[];
  /** RSS 5 s after the first answered review, nothing else running against it. */
  rest?: { rssMB: number; hwmMB: number };
  /** vegeta at 1,000 req/s (after 5 s of the same load, not counted). */
  fixed?: VegetaResult;
}

async function benchServer(name: string, start: () => ChildProcess, url: string, binaryName?: string): Promise<ServerRun> {
  const child = start();
  try {
    await waitForPort(url, child);
    const run: ServerRun = { rows: [] };
    const pid = serverPid(child, binaryName);
    await new Promise((r) => setTimeout(r, 5000));
    if (pid) run.rest = statusOf(pid);
    console.error(`${name}: at rest ${JSON.stringify(run.rest)}`);
    if (vegeta.bin) {
      const body = path.join(inputs, "serve-review.json");
      await attack(vegeta.bin, url, body, { rate: 1000, seconds: 5 });
      run.fixed = await attack(vegeta.bin, url, body, { rate: 1000, seconds: quick ? 5 : 15, pid });
      console.error(`${name}: vegeta ${JSON.stringify(run.fixed)}`);
    }
    for (const s of SCENARIOS) {
      const row = await load(url, s.file, { rate: s.rate, connections: s.connections, seconds: quick ? 3 : 15 });
      const p = serverPid(child, binaryName);
      run.rows.push({ server: name, ...row, ...(p ? rssOf(p) : {}) });
      console.error(`${name}: ${JSON.stringify(run.rows[run.rows.length - 1])}`);
    }
    return run;
  } finally {
    // A detached child leads its own process group (the Go reference: bash, go test, the test binary): end the group.
    const stop = (sig: NodeJS.Signals) => {
      try {
        if (binaryName && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    };
    stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) stop("SIGKILL");
  }
}

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

// `--core`: only the in-process pipeline (built-in code, the template path, Istio's sidecar text through the engine),
// beside Istio's own in-process Go figures (bench/results/go-inprocess.txt); writes core.json.
if (process.argv.includes("--core")) {
  const core = benchCore();
  fs.writeFileSync(path.join(results, "core.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, core }, null, 2));
  console.log(table(["case", "ms/op", "ops/s"], core.map((r) => [r.case, r.msPerOp, r.opsPerSec])));
  console.log("\nIstio's Go injector, in process (go-inprocess.txt):\n" + fs.readFileSync(path.join(results, "go-inprocess.txt"), "utf8"));
  process.exit(0);
}

// CLI cold start first, while nothing of ours runs.
const vsFile = path.join(root, "bench", "inputs", "virtualservice.yaml");
const deployment = path.join(root, "examples", "bookinfo-details.yaml");
const cli: ColdStartRow[] = [
  coldStart(root, "pilotfish --help", ["--help"]),
  coldStart(root, "pilotfish validate -f (one VirtualService)", ["validate", "-f", vsFile]),
  coldStart(root, "pilotfish kube-inject -f (one Deployment)", ["kube-inject", "-f", deployment]),
  coldStart(root, "node -e 0 (the floor: Node's own start-up)", [], 10, ["-e", "0"]),
];
fs.writeFileSync(path.join(results, "cli.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, cli }, null, 2));
console.error(JSON.stringify(cli));

const core = benchCore();
fs.writeFileSync(path.join(results, "core.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, core }, null, 2));
console.error(JSON.stringify(core));

const port = 18000 + Math.floor(Math.random() * 1000);
const pilotfish = await benchServer(
  "pilotfish",
  () =>
    spawn(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "serve", "--host", "127.0.0.1", "--port", String(port), "--no-validation"], {
      // The bundle in dist/, as the container image runs it (make bench builds it first).
      env: { ...process.env, ENABLE_NATIVE_SIDECARS: "true", LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  `https://127.0.0.1:${port}/inject`,
);
let go: ServerRun | undefined;
if (process.env.ISTIO_GIT_DIR) {
  const goPort = port + 1;
  go = await benchServer(
    "istio (Go)",
    () =>
      spawn("bash", [path.resolve(root, "../shared/bench/istio-go-bench.sh"), process.env.ISTIO_GIT_DIR!, process.env.ISTIO_BENCH_WORK ?? "/tmp/istio-go-bench", "serve", String(goPort), "600"], {
        stdio: ["ignore", "ignore", "inherit"],
        detached: true,
      }),
    `https://127.0.0.1:${goPort}/inject`,
    "inject\\.test",
  ).catch((e) => {
    console.error(`Go reference not measured: ${(e as Error).message}`);
    return undefined;
  });
}
const all = [...pilotfish.rows, ...(go?.rows ?? [])];
const load1 = os.loadavg()[0].toFixed(1);
fs.writeFileSync(
  path.join(results, "webhook.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      loadavg: os.loadavg(),
      rows: all,
      rest: { pilotfish: pilotfish.rest, ...(go ? { "istio (Go)": go.rest } : {}) },
      vegeta1000: { pilotfish: pilotfish.fixed, ...(go ? { "istio (Go)": go.fixed } : {}) },
    },
    null,
    2,
  ),
);

const met = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "met" : "**missed**");
const cold = (label: string) => cli.find((c) => c.command.startsWith(label));
const targetRows: (string | number)[][] = [
  ["CLI cold start, `validate -f`, median of 10", `<= ${TARGETS.coldStartMs} ms`, `${cold("pilotfish validate")?.medianMs} ms`, met(cold("pilotfish validate")!.medianMs <= TARGETS.coldStartMs)],
  ["CLI cold start, `kube-inject -f`, median of 10", `<= ${TARGETS.coldStartMs} ms`, `${cold("pilotfish kube-inject")?.medianMs} ms`, met(cold("pilotfish kube-inject")!.medianMs <= TARGETS.coldStartMs)],
  ["`serve` RSS at rest", `<= ${TARGETS.restRssMB} MB`, pilotfish.rest ? `${pilotfish.rest.rssMB} MB` : "-", met(pilotfish.rest && pilotfish.rest.rssMB <= TARGETS.restRssMB)],
  [
    "`serve` RSS under 1,000 req/s (largest sample)",
    `<= ${TARGETS.loadRssMB} MB`,
    pilotfish.fixed?.rssMaxMB ? `${pilotfish.fixed.rssMaxMB} MB` : "-",
    met(pilotfish.fixed?.rssMaxMB === undefined ? undefined : pilotfish.fixed.rssMaxMB <= TARGETS.loadRssMB),
  ],
  [
    "p99 at 1,000 req/s (vegeta, open loop, small pod)",
    `<= ${TARGETS.p99At1000Ms} ms`,
    pilotfish.fixed ? `${pilotfish.fixed.p99ms} ms` : "-",
    met(pilotfish.fixed === undefined ? undefined : pilotfish.fixed.p99ms <= TARGETS.p99At1000Ms && pilotfish.fixed.success >= 0.999),
  ],
];
const fixedRows = [
  ["pilotfish", pilotfish],
  ...(go ? [["istio (Go)", go] as const] : []),
] as const;

const md = [
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on this machine (${process.version}, ${os.cpus().length} cores shared with other work: load average ${load1} at the end); load generators (autocannon, vegeta) on the same cores.`,
  "",
  "Targets (benchmarks, not tests):",
  "",
  table(["what", "target", "measured", ""], targetRows),
  "",
  `CLI cold start (the real \`bin/pilotfish.mjs\` over dist/, spawned ${cli[0].runs} times after one warm-up; peak RSS from /usr/bin/time):`,
  "",
  table(
    ["command", "min ms", "median ms", "max ms", "peak RSS MB (median)"],
    cli.map((c) => [c.command, c.minMs, c.medianMs, c.maxMs, c.peakRssMB?.median ?? "-"]),
  ),
  "",
  "Webhook at a fixed 1,000 req/s (vegeta, open loop, keep-alive, TLS, serve-review.json), and RSS at rest (5 s after start):",
  "",
  table(
    ["server", "requests", "success", "p50 ms", "p90 ms", "p99 ms", "max ms", "RSS at rest MB", "RSS under load MB (max sampled)"],
    fixedRows.map(([n, r]) => [n, r.fixed?.requests ?? "-", r.fixed ? `${(r.fixed.success * 100).toFixed(2)} %` : "-", r.fixed?.p50ms ?? "-", r.fixed?.p90ms ?? "-", r.fixed?.p99ms ?? "-", r.fixed?.maxMs ?? "-", r.rest?.rssMB ?? "-", r.fixed?.rssMaxMB ?? "-"]),
  ),
  "",
  "In-process review pipeline (parse, inject, diff, encode):",
  "",
  table(["in-process pipeline", "ms/op", "ops/s"], core.map((c) => [c.case, c.msPerOp, c.opsPerSec])),
  "",
  "Webhook under autocannon (keep-alive; its fixed rate is closed loop, so a slow server slows the generator):",
  "",
  table(
    ["server", "input", "rate asked", "achieved/s", "p50 ms", "p99 ms", "errors+non2xx", "server RSS MB"],
    all.map((r) => [r.server, r.input, r.rateAsked, r.achievedPerSec, r.p50ms, r.p99ms, r.errors + r.non2xx + r.timeouts, (r as { rssMB?: number }).rssMB ?? "-"]),
  ),
].join("\n");
const footer = [
  "",
  "Also in this folder: operator.md (bench/operator.ts: operator apply time, CPU and RSS at rest), cold-start.md (the CLI's",
  "start-up before and after the bundle, and what limits it), go-inprocess.txt (Istio's own in-process Go benchmarks).",
].join("\n");
fs.writeFileSync(path.join(results, "summary.md"), md + "\n" + footer + "\n");
console.log(md);
