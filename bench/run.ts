// Benchmarks (make bench). Inputs are Istio 1.30.3's own injector benchmark inputs (../shared/bench/inputs).
//  1. core: the whole in-process review pipeline (JSON.parse, decide, inject, diff, base64, JSON.stringify)
//     per op, for the small pod (BenchmarkInjectServePC0) and the 2,000-env pod (BenchmarkInjection).
//  2. webhook: `pilotfish serve` over TLS in its own process, loaded by autocannon (keep-alive) at a fixed
//     rate and unbounded; p50/p99, throughput, server RSS.
//  3. with ISTIO_GIT_DIR set: Istio's Go /inject handler (../shared/bench/istio-go-bench.sh serve) under the
//     same load, so the figures sit side by side from one run.
// Results: bench/results/*.json and bench/results/summary.md. No thresholds: numbers are for reading.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { handleInjectReview, parseAdmissionReview } from "../src/webhook/admission.js";
import { settingsFromIstioOperator } from "../src/config/injection.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const inputs = path.resolve(root, process.env.BENCH_INPUTS ?? "../shared/bench/inputs");
const results = path.join(root, "bench", "results");
const quick = process.argv.includes("--quick");
fs.mkdirSync(results, { recursive: true });

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
  const settings = settingsFromIstioOperator({}, { nativeSidecars: true });
  const out = [];
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
    out.push({ case: c.name, bytes: body.length, ops: n, msPerOp: +perOpMs.toFixed(4), opsPerSec: Math.round(1000 / perOpMs), heapDeltaMB: +((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1) });
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
    const out = execFileSync("pgrep", ["-n", "-f", binaryName], { encoding: "utf8" }).trim();
    return Number(out) || undefined;
  } catch {
    return undefined;
  }
}

async function benchServer(name: string, start: () => ChildProcess, url: string, binaryName?: string) {
  const child = start();
  try {
    await waitForPort(url, child);
    const rows = [];
    for (const s of SCENARIOS) {
      const row = await load(url, s.file, { rate: s.rate, connections: s.connections, seconds: quick ? 3 : 15 });
      const pid = serverPid(child, binaryName);
      rows.push({ server: name, ...row, ...(pid ? rssOf(pid) : {}) });
      console.error(`${name}: ${JSON.stringify(rows[rows.length - 1])}`);
    }
    return rows;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const core = benchCore();
fs.writeFileSync(path.join(results, "core.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, core }, null, 2));
console.error(JSON.stringify(core));

const port = 18000 + Math.floor(Math.random() * 1000);
const serverRows = await benchServer(
  "pilotfish",
  () =>
    spawn(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "serve", "--host", "127.0.0.1", "--port", String(port), "--no-validation"], {
      // The compiled build, as the container image runs it (make bench builds it first).
      env: { ...process.env, ENABLE_NATIVE_SIDECARS: "true", LOG_LEVEL: "info", PILOTFISH_DIST: fs.existsSync(path.join(root, "dist/cli/main.js")) ? "1" : "0" },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  `https://127.0.0.1:${port}/inject`,
);
let goRows: typeof serverRows = [];
if (process.env.ISTIO_GIT_DIR) {
  const goPort = port + 1;
  goRows = await benchServer(
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
    return [];
  });
  spawn("pkill", ["-f", "TestZZServeTLS"]);
}
const all = [...serverRows, ...goRows];
fs.writeFileSync(path.join(results, "webhook.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows: all }, null, 2));

const md = [
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${process.version}); load generator (autocannon, keep-alive) on the same 2 cores.`,
  "",
  table(["in-process pipeline", "ms/op", "ops/s"], core.map((c) => [c.case, c.msPerOp, c.opsPerSec])),
  "",
  table(
    ["server", "input", "rate asked", "achieved/s", "p50 ms", "p99 ms", "errors+non2xx", "server RSS MB"],
    all.map((r) => [r.server, r.input, r.rateAsked, r.achievedPerSec, r.p50ms, r.p99ms, r.errors + r.non2xx + r.timeouts, (r as { rssMB?: number }).rssMB ?? "-"]),
  ),
].join("\n");
fs.writeFileSync(path.join(results, "summary.md"), md + "\n");
console.log(md);
