// The soak's pilotfish: `pilotfish serve` processes started with the chart's Deployment arguments, behind a TCP
// balancer standing in for the Service (new connections go round-robin to replicas whose /readyz answers 200, as
// endpoints do; a replica that stops answering /readyz, or whose port refuses, is out within one poll).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function getStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A private copy of the built CLI (bin/ + dist/, node_modules linked) under `dir`: the replicas restarted during
 * a long soak run what was built when it began, as pods run one image, even if dist/ is rebuilt meanwhile.
 */
export function snapshotApp(repo: string, dir: string): string {
  const root = path.join(dir, "app");
  fs.mkdirSync(root, { recursive: true });
  for (const d of ["bin", "dist"]) fs.cpSync(path.join(repo, d), path.join(root, d), { recursive: true });
  fs.copyFileSync(path.join(repo, "package.json"), path.join(root, "package.json"));
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"));
  return root;
}

export class Balancer {
  readonly backends = new Map<number, boolean>();
  /** Connections refused because no backend was ready. */
  refused = 0;
  private rr = 0;
  private readonly server = net.createServer((client) => {
    const ready = [...this.backends].filter(([, ok]) => ok).map(([p]) => p);
    if (!ready.length) {
      this.refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(ready[this.rr++ % ready.length], "127.0.0.1");
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  port = 0;
  constructor(private readonly pollMs = 200) {}
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as net.AddressInfo).port;
    const poll = async () => {
      await Promise.all(
        [...this.backends.keys()].map(async (p) => {
          const ok = (await getStatus(`https://127.0.0.1:${p}/readyz`, 1000)) === 200;
          if (this.backends.has(p)) this.backends.set(p, ok);
        }),
      );
      if (!this.stopped) this.timer = setTimeout(poll, this.pollMs);
    };
    void poll();
  }
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.server.close();
  }
}

export interface Replica {
  id: string;
  port: number;
  proc: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ReplicaSetOptions {
  /** where bin/pilotfish.mjs and dist/ are (snapshotApp) */
  repo: string;
  dir: string;
  /** `serve` and the chart's Deployment arguments (any --port is replaced). */
  args: string[];
  kubeconfig: string;
  namespace: string;
  balancer: Balancer;
}

/** Replicas named <prefix>-<n>; a restart stops one and starts its successor on a fresh port. */
export class Replicas {
  readonly live: Replica[] = [];
  private seq = 0;
  constructor(private readonly o: ReplicaSetOptions) {}

  async start(prefix: string): Promise<Replica> {
    const id = `${prefix}-${this.seq++}`;
    const port = await freePort();
    const logFile = path.join(this.o.dir, `pilotfish-${id}.log`);
    const fd = fs.openSync(logFile, "a");
    const args = [path.join(this.o.repo, "bin/pilotfish.mjs"), ...this.o.args.filter((a) => !a.startsWith("--port=") && !a.startsWith("--monitoring-port=")), `--port=${port}`, "--monitoring-port=0", "--host=127.0.0.1", `--kubeconfig=${this.o.kubeconfig}`, `--identity=${id}`];
    const proc = spawn(process.execPath, args, { cwd: this.o.repo, stdio: ["ignore", fd, fd], env: { ...process.env, POD_NAMESPACE: this.o.namespace, POD_NAME: id, KUBECONFIG: "" } });
    fs.closeSync(fd);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once("exit", (code, signal) => r({ code, signal })));
    const r: Replica = { id, port, proc, logFile, exited };
    this.live.push(r);
    this.o.balancer.backends.set(port, false);
    await this.ready(r, 90_000);
    // In rotation (an endpoint of the Service) before the caller moves on, as a rollout waits for the new pod.
    for (let i = 0; i < 100 && this.o.balancer.backends.get(port) !== true; i++) await sleep(50);
    return r;
  }

  async ready(r: Replica, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) throw new Error(`${r.id} exited (${r.proc.exitCode ?? r.proc.signalCode}): ${fs.readFileSync(r.logFile, "utf8").slice(-2000)}`);
      if ((await getStatus(`https://127.0.0.1:${r.port}/readyz`)) === 200) return;
      await sleep(100);
    }
    throw new Error(`${r.id}: /readyz not 200 within ${timeoutMs} ms`);
  }

  /** Signals one replica, waits for it to exit, starts its successor and waits for it to be ready. */
  async restart(r: Replica, signal: NodeJS.Signals, clock: () => number = Date.now): Promise<{ id: string; signalAt: number; exit: { code: number | null; signal: NodeJS.Signals | null }; exitedMs: number; readyMs: number }> {
    const signalAt = clock();
    const t0 = Date.now();
    r.proc.kill(signal);
    const exit = await Promise.race([r.exited, sleep(60_000).then(() => ({ code: null, signal: "timeout" as NodeJS.Signals }))]);
    const exitedMs = Date.now() - t0;
    this.o.balancer.backends.delete(r.port);
    this.live.splice(this.live.indexOf(r), 1);
    const next = await this.start(r.id.replace(/-\d+$/, ""));
    return { id: `${r.id} -> ${next.id}`, signalAt, exit, exitedMs, readyMs: Date.now() - t0 };
  }

  async allReady(): Promise<boolean> {
    const s = await Promise.all(this.live.map((r) => getStatus(`https://127.0.0.1:${r.port}/readyz`)));
    return s.length > 0 && s.every((c) => c === 200);
  }

  killAll(): void {
    for (const r of this.live) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill("SIGKILL");
  }
}
