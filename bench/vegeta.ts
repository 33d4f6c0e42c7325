// Open-loop load at a fixed rate with vegeta (a Go load generator, built from Go modules and cached under
// ~/.cache/pilotfish/bin/vegeta-<version>/). Unlike autocannon's --overallRate, vegeta sends on schedule
// whether or not earlier requests have answered, so a slow server shows in the tail instead of slowing the
// generator down (no coordinated omission).
// Connections are capped (-max-connections=32, keep-alive), as the API server's webhook client pools them: a
// request waiting for a free connection counts that wait in its latency. Uncapped, vegeta opens a new TLS
// connection whenever its workers are busy, and at 1,000 req/s on 2 shared cores that turns into a storm of
// handshakes (measured here: p99 1.1 s, 270 MB RSS for pilotfish, Istio's Go handler timing out) that says
// more about the generator than about the server.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const VEGETA_VERSION = "v12.13.0";

/** The vegeta binary, built on first use (`go install`); undefined (with the reason) when Go is missing. */
export function ensureVegeta(): { bin?: string; why?: string } {
  const dir = path.join(os.homedir(), ".cache", "pilotfish", "bin", `vegeta-${VEGETA_VERSION}`);
  const bin = path.join(dir, "vegeta");
  if (fs.existsSync(bin)) return { bin };
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync("go", ["install", `github.com/tsenart/vegeta/v12@${VEGETA_VERSION}`], {
    env: { ...process.env, GOBIN: dir },
    encoding: "utf8",
    stdio: ["ignore", "inherit", "pipe"],
  });
  if (r.error || r.status !== 0) return { why: `go install vegeta failed: ${r.error?.message ?? r.stderr.trim().split("\n").slice(-1)[0]}` };
  return { bin };
}

export interface VegetaResult {
  rate: number;
  seconds: number;
  requests: number;
  throughput: number;
  success: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
  errors: string[];
  /** Largest VmRSS sampled (every 250 ms) while the attack ran, and VmHWM after it. */
  rssMaxMB?: number;
  peakMB?: number;
}

function statusOf(pid: number): { rssMB: number; hwmMB: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { rssMB: +(kb("VmRSS") / 1024).toFixed(1), hwmMB: +(kb("VmHWM") / 1024).toFixed(1) };
  } catch {
    return undefined;
  }
}

export async function attack(
  bin: string,
  url: string,
  bodyFile: string,
  opts: { rate: number; seconds: number; pid?: number; extra?: string[] },
): Promise<VegetaResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pf-vegeta-"));
  try {
    const targets = path.join(work, "targets.txt");
    fs.writeFileSync(targets, `POST ${url}\nContent-Type: application/json\n@${bodyFile}\n`);
    const out = path.join(work, "results.bin");
    let rssMax = 0;
    const sampler = opts.pid
      ? setInterval(() => {
          const s = statusOf(opts.pid!);
          if (s) rssMax = Math.max(rssMax, s.rssMB);
        }, 250)
      : undefined;
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(
        bin,
        ["attack", `-targets=${targets}`, `-rate=${opts.rate}/1s`, `-duration=${opts.seconds}s`, "-insecure", "-keepalive=true", "-timeout=10s", "-max-connections=32", `-output=${out}`, ...(opts.extra ?? [])],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      p.on("close", resolve);
    });
    if (sampler) clearInterval(sampler);
    if (code !== 0) throw new Error(`vegeta attack exited with ${code}`);
    const report = JSON.parse(execFileSync(bin, ["report", "-type=json", out], { encoding: "utf8" })) as {
      latencies: Record<string, number>;
      requests: number;
      throughput: number;
      success: number;
      errors: string[] | null;
    };
    const ms = (ns: number) => +(ns / 1e6).toFixed(2);
    const after = opts.pid ? statusOf(opts.pid) : undefined;
    return {
      rate: opts.rate,
      seconds: opts.seconds,
      requests: report.requests,
      throughput: +report.throughput.toFixed(1),
      success: report.success,
      p50ms: ms(report.latencies["50th"]),
      p90ms: ms(report.latencies["90th"]),
      p99ms: ms(report.latencies["99th"]),
      maxMs: ms(report.latencies.max),
      errors: [...new Set(report.errors ?? [])].slice(0, 5),
      ...(opts.pid ? { rssMaxMB: rssMax || undefined, peakMB: after?.hwmMB } : {}),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export { statusOf };
