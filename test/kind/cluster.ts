// A real Kubernetes control plane as local processes (etcd, kube-apiserver, kube-controller-manager), for the
// end-to-end tests and `make up`. No kubelet or scheduler: pods stay Pending, which is all admission needs.
// With PILOTFISH_E2E_EXTERNAL=1 the tests use the cluster of $KUBECONFIG instead (a kind cluster, say).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Cluster {
  kubeconfigPath: string;
  kc: k8s.KubeConfig;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Working directory: certificates, kubeconfigs, data, logs. */
  dir: string;
  external: boolean;
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Last lines of each component's log, for a failing test to print. */
  logsTail(lines?: number): string;
  /** Stops one component (SIGTERM by default), starts it again with the same flags and ports, and waits until the
   *  API server's /readyz answers 200 again (local control plane only; the soak test's faults). */
  restart?(component: ControlPlaneComponent, opts?: { signal?: NodeJS.Signals; downMs?: number }): Promise<RestartTiming>;
  stop(): Promise<void>;
}

export type ControlPlaneComponent = "etcd" | "kube-apiserver" | "kube-controller-manager";
/** Milliseconds from the signal: until the process exited, until it was started again, until /readyz said 200. */
export interface RestartTiming {
  exitedMs: number;
  startedMs: number;
  readyMs: number;
}

export interface StartOptions {
  /** Where to keep state; a fresh temporary directory by default. */
  dir?: string;
  /** Leave the processes running after this process exits (`make up`). */
  detach?: boolean;
  log?: (line: string) => void;
}

/** Builds the binaries if needed (cached) and returns their directory. */
export function controlPlaneBinaries(): string {
  const out = execFileSync("bash", [path.join(here, "build-controlplane.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return out.trim().split("\n").pop()!;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** CA, API server serving certificate, client certificates and the service-account key pair. */
function makeCertificates(dir: string): void {
  const ec = (name: string) => openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`], dir);
  ec("ca");
  openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=pilotfish-local-ca", "-days", "3650", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], dir);
  const sign = (name: string, subject: string, ext: string) => {
    ec(name);
    openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "3650", "-out", `${name}.crt`, "-extfile", `${name}.ext`], dir);
  };
  sign(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
  );
  const client = "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n";
  sign("admin", "/O=system:masters/CN=pilotfish-admin", client);
  sign("controller-manager", "/CN=system:kube-controller-manager", client);
  ec("sa");
  openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
}

function kubeconfig(server: string, dir: string, user: string): string {
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: pilotfish-local",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64("ca.crt")}`,
    "users:",
    `- name: ${user}`,
    "  user:",
    `    client-certificate-data: ${b64(`${user}.crt`)}`,
    `    client-key-data: ${b64(`${user}.key`)}`,
    "contexts:",
    "- name: pilotfish-local",
    "  context:",
    "    cluster: pilotfish-local",
    `    user: ${user}`,
    "current-context: pilotfish-local",
    "",
  ].join("\n");
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number, procs: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead) throw new Error(`${what}: ${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode})`);
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function runKubectl(bin: string, kubeconfigPath: string, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(bin, ["--kubeconfig", kubeconfigPath, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.on("error", (e) => resolve({ code: 127, stdout, stderr: String(e) }));
    p.stdin.end(stdin ?? "");
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever happens to the test process, the control plane goes with it.
  process.on("exit", () => {
    for (const p of live) p.kill("SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const p of live) p.kill("SIGKILL");
      process.exit(130);
    });
  }
}

function externalCluster(): Cluster {
  const kubeconfigPath = process.env.KUBECONFIG!;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kubeconfigPath,
    kc,
    server: kc.getCurrentCluster()?.server ?? "",
    dir: os.tmpdir(),
    external: true,
    kubectl: (args, stdin) => runKubectl(process.env.KUBECTL ?? "kubectl", kubeconfigPath, args, stdin),
    logsTail: () => "(external cluster: no local logs)",
    stop: async () => undefined,
  };
}

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  if (process.env.PILOTFISH_E2E_EXTERNAL === "1" && process.env.KUBECONFIG) return externalCluster();
  const log = opts.log ?? (() => undefined);
  const bin = controlPlaneBinaries();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pilotfish-cp-"));
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  makeCertificates(dir);
  const [etcdPort, peerPort, apiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const server = `https://127.0.0.1:${apiPort}`;
  const adminKubeconfig = path.join(dir, "admin.kubeconfig");
  fs.writeFileSync(adminKubeconfig, kubeconfig(server, dir, "admin"));
  fs.writeFileSync(path.join(dir, "controller-manager.kubeconfig"), kubeconfig(server, dir, "controller-manager"));
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  if (!opts.detach) installExitHook();
  const argsOf = new Map<string, string[]>();
  const start = (name: string, args: string[]) => {
    argsOf.set(name, args);
    const logFile = path.join(dir, `${name}.log`);
    logs.push(logFile);
    const fd = fs.openSync(logFile, "a");
    const p = spawn(path.join(bin, name), args, { cwd: dir, stdio: ["ignore", fd, fd], detached: !!opts.detach });
    fs.closeSync(fd);
    if (opts.detach) p.unref();
    else live.add(p);
    procs.push(p);
    fs.appendFileSync(path.join(dir, "pids"), `${p.pid} ${name}\n`);
    return p;
  };

  const stop = async () => {
    for (const p of [...procs].reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      p.kill("SIGTERM");
      await Promise.race([new Promise((r) => p.once("exit", r)), new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
      live.delete(p);
    }
    if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  const logsTail = (lines = 30) => logs.map((f) => `--- ${path.basename(f)} ---\n${tail(f, lines)}`).join("\n");

  try {
    start("etcd", [
      "--name", "default", "--data-dir", path.join(dir, "etcd-data"),
      "--listen-client-urls", `http://127.0.0.1:${etcdPort}`, "--advertise-client-urls", `http://127.0.0.1:${etcdPort}`,
      "--listen-peer-urls", `http://127.0.0.1:${peerPort}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peerPort}`,
      "--initial-cluster", `default=http://127.0.0.1:${peerPort}`, "--unsafe-no-fsync", "--log-level", "warn",
    ]);
    start("kube-apiserver", [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--secure-port=${apiPort}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
      `--tls-cert-file=${dir}/apiserver.crt`, `--tls-private-key-file=${dir}/apiserver.key`, `--client-ca-file=${dir}/ca.crt`,
      `--service-account-key-file=${dir}/sa.pub`, `--service-account-signing-key-file=${dir}/sa.key`,
      "--service-account-issuer=https://kubernetes.default.svc", "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=RBAC", "--allow-privileged=true",
      // The only address is loopback, which the `kubernetes` Service's endpoints may not hold.
      "--endpoint-reconciler-type=none",
      "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota",
      `--cert-dir=${dir}/apiserver-certs`, "--v=1",
    ]);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(adminKubeconfig);
    const readyz = () =>
      new Promise<boolean>((resolve) => {
        const req = https.get(`${server}/readyz`, { ca: fs.readFileSync(path.join(dir, "ca.crt")), cert: fs.readFileSync(path.join(dir, "admin.crt")), key: fs.readFileSync(path.join(dir, "admin.key")) }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on("error", () => resolve(false));
      });
    await waitFor("kube-apiserver /readyz", readyz, 90_000, procs);
    log(`kube-apiserver ready at ${server} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    // The controller manager's port was picked seconds ago; another process may have taken it since (tests and
    // builds run beside us). "address already in use" gets a fresh port, twice at most.
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let kcmPortNow = kcmPort;
    for (let attempt = 1; ; attempt++) {
      const kcm = start("kube-controller-manager", [
        `--kubeconfig=${dir}/controller-manager.kubeconfig`,
        `--authentication-kubeconfig=${dir}/controller-manager.kubeconfig`, `--authorization-kubeconfig=${dir}/controller-manager.kubeconfig`,
        `--service-account-private-key-file=${dir}/sa.key`, `--root-ca-file=${dir}/ca.crt`,
        `--cluster-signing-cert-file=${dir}/ca.crt`, `--cluster-signing-key-file=${dir}/ca.key`,
        "--use-service-account-credentials=true", "--leader-elect=false",
        `--secure-port=${kcmPortNow}`, "--bind-address=127.0.0.1", `--cert-dir=${dir}/kcm-certs`, "--v=1",
      ]);
      try {
        await waitFor("the default ServiceAccount (controller manager running)", async () => !!(await core.readNamespacedServiceAccount({ name: "default", namespace: "default" })), 90_000, procs);
        break;
      } catch (e) {
        const portTaken = kcm.exitCode !== null && /address already in use/.test(tail(path.join(dir, "kube-controller-manager.log"), 80));
        if (!portTaken || attempt >= 3) throw e;
        procs.splice(procs.indexOf(kcm), 1);
        live.delete(kcm);
        kcmPortNow = await freePort();
        log(`controller manager's port was taken; retrying on ${kcmPortNow}`);
      }
    }
    log(`control plane ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const restart = async (name: ControlPlaneComponent, ro: { signal?: NodeJS.Signals; downMs?: number } = {}): Promise<RestartTiming> => {
      const old = [...procs].reverse().find((p) => p.spawnfile.endsWith(`/${name}`));
      if (!old) throw new Error(`${name} is not running`);
      const t0 = Date.now();
      if (old.exitCode === null && old.signalCode === null) {
        const exited = new Promise((r) => old.once("exit", r));
        old.kill(ro.signal ?? "SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (old.exitCode === null && old.signalCode === null) {
          old.kill("SIGKILL");
          await exited;
        }
      }
      const exitedMs = Date.now() - t0;
      live.delete(old);
      if (ro.downMs) await new Promise((r) => setTimeout(r, ro.downMs));
      // Same flags, same ports; the new process takes the old one's place (stop order unchanged).
      const fresh = start(name, argsOf.get(name)!);
      procs.splice(procs.indexOf(fresh), 1);
      procs.splice(procs.indexOf(old), 1, fresh);
      const startedMs = Date.now() - t0;
      await waitFor(`kube-apiserver /readyz after restarting ${name}`, readyz, 120_000, procs);
      return { exitedMs, startedMs, readyMs: Date.now() - t0 };
    };
    return {
      kubeconfigPath: adminKubeconfig,
      kc,
      server,
      dir,
      external: false,
      kubectl: (args, stdin) => runKubectl(path.join(bin, "kubectl"), adminKubeconfig, args, stdin),
      logsTail,
      restart,
      stop,
    };
  } catch (e) {
    const msg = `${(e as Error).message}\n${logsTail(40)}`;
    await stop();
    throw new Error(msg);
  }
}
