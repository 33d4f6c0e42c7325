// CLI cold start (make bench): the real bin/pilotfish.mjs, spawned as a user runs it, each command N times
// after one uncounted warm-up run (the page cache, not the process, is warm). Wall time from spawn to exit;
// peak RSS from /usr/bin/time when the machine has it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface ColdStartRow {
  command: string;
  runs: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  peakRssMB?: { min: number; median: number; max: number };
}

const TIME = "/usr/bin/time";

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}

/** `args`: pilotfish's arguments; `nodeArgs` replaces the whole node command line (for the baseline). */
export function coldStart(root: string, label: string, args: string[], runs = 10, nodeArgs?: string[]): ColdStartRow {
  const bin = path.join(root, "bin/pilotfish.mjs");
  const node = nodeArgs ?? [bin, ...args];
  const withTime = fs.existsSync(TIME);
  const wall: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const argv = withTime ? ["-f", "%M", process.execPath, ...node] : node;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(withTime ? TIME : process.execPath, argv, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
    if (i === 0) continue; // warm-up
    wall.push(ms);
    if (withTime) {
      const kb = Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1]);
      if (kb) rss.push(kb / 1024);
    }
  }
  const w = stats(wall);
  const row: ColdStartRow = { command: label, runs, minMs: +w.min.toFixed(1), medianMs: +w.median.toFixed(1), maxMs: +w.max.toFixed(1) };
  if (rss.length) {
    const m = stats(rss);
    row.peakRssMB = { min: +m.min.toFixed(1), median: +m.median.toFixed(1), max: +m.max.toFixed(1) };
  }
  return row;
}
