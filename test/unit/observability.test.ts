// Observability: the plain-HTTP monitoring port and its gauges (certificate expiry, leadership, config sync
// age, build info), and the log format (level names, ISO times). The chart's dashboard and alert rules are
// checked against these metric names in chart.test.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { generateCa, generateServingCert } from "../../src/kube/certs.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { certificateExpiries, createMetrics, type SyncState } from "../../src/telemetry/metrics.js";
import { startMonitoringServer, type MonitoringServer } from "../../src/telemetry/monitoring.js";
import { operatorSettings } from "../../src/cli/operator.js";
import { ClusterSettings } from "../../src/webhook/cluster-settings.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Prometheus text exposition -> "name{labels}" -> value (comments dropped). */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

const notAfter = (pem: string) => Math.floor(new Date(new X509Certificate(pem).validTo).getTime() / 1000);
const silent = () => createLogger({ level: "silent" });

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("monitoring port", () => {
  let server: MonitoringServer;
  let leading = true;
  let injector: SyncState = { lastSync: Date.parse("2026-12-01T10:00:00Z"), current: true };
  const now = Date.parse("2026-12-01T10:05:00Z");
  let tls: Awaited<ReturnType<typeof generateServingCert>>;
  const metrics = createMetrics({ defaultMetrics: false, now: () => now, build: { version: "1.2.3", commit: "abc123-dirty", istioVersion: "1.30.3" } });

  before(async () => {
    tls = await generateServingCert({ dnsNames: ["pilotfish.pilotfish-system.svc"] });
    metrics.watchCertificates(() => tls);
    metrics.watchLeader("pilotfish-system/pilotfish-leader", () => leading);
    metrics.watchConfigSync("injector", () => injector);
    metrics.watchConfigSync("mesh", () => ({ lastSync: now - 42_000, current: false }));
    metrics.watchConfigSync("never", () => ({ current: false }));
    metrics.injectRequests.inc();
    server = await startMonitoringServer({ metrics, port: 0, host: "127.0.0.1", logger: silent() });
  });
  after(() => server.close());

  const scrape = async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parseExposition(await r.text());
  };

  it("serves the Prometheus exposition over plain HTTP, existing names included", async () => {
    const m = await scrape();
    assert.equal(m.get("sidecar_injection_requests_total"), 1);
    assert.ok([...m.keys()].some((k) => k.startsWith("pilotfish_injection_duration_seconds") || k === "sidecar_injection_success_total"));
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/inject`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" })).status, 405);
  });

  it("pilotfish_build_info carries version, commit and istio_version", async () => {
    const m = await scrape();
    assert.equal(m.get('pilotfish_build_info{version="1.2.3",commit="abc123-dirty",istio_version="1.30.3"}'), 1);
    assert.equal([...m.keys()].filter((k) => k.startsWith("pilotfish_build_info")).length, 1);
  });

  it("pilotfish_cert_expiry_timestamp_seconds follows the served certificate and its CA", async () => {
    let m = await scrape();
    assert.equal(m.get('pilotfish_cert_expiry_timestamp_seconds{cert="serving"}'), notAfter(tls.cert));
    assert.equal(m.get('pilotfish_cert_expiry_timestamp_seconds{cert="ca"}'), notAfter(tls.ca));
    const old = tls;
    tls = await generateServingCert({ dnsNames: ["x"], validityMs: 3_600_000 });
    m = await scrape();
    assert.equal(m.get('pilotfish_cert_expiry_timestamp_seconds{cert="serving"}'), notAfter(tls.cert));
    assert.notEqual(tls.cert, old.cert);
  });

  it("pilotfish_leader is 1 while leading, 0 after", async () => {
    leading = true;
    assert.equal((await scrape()).get('pilotfish_leader{lease="pilotfish-system/pilotfish-leader"}'), 1);
    leading = false;
    assert.equal((await scrape()).get('pilotfish_leader{lease="pilotfish-system/pilotfish-leader"}'), 0);
  });

  it("pilotfish_config_sync_age_seconds: 0 while watched, seconds since the last sync otherwise, absent before any", async () => {
    let m = await scrape();
    assert.equal(m.get('pilotfish_config_sync_age_seconds{source="injector"}'), 0);
    assert.equal(m.get('pilotfish_config_last_sync_timestamp_seconds{source="injector"}'), now / 1000);
    assert.equal(m.get('pilotfish_config_sync_age_seconds{source="mesh"}'), 42);
    assert.equal(m.get('pilotfish_config_last_sync_timestamp_seconds{source="mesh"}'), (now - 42_000) / 1000);
    assert.equal(m.get('pilotfish_config_sync_age_seconds{source="never"}'), undefined);
    injector = { lastSync: now - 300_000, current: false };
    m = await scrape();
    assert.equal(m.get('pilotfish_config_sync_age_seconds{source="injector"}'), 300);
  });
});

describe("ClusterSettings.syncState (the config sync gauges' source)", () => {
  it("has no sync before anything is read, a time per ConfigMap once applied, and is not current until its watch lists", () => {
    const cs = new ClusterSettings({ kc: {} as never, istioNamespace: "istio-system", revision: "", nativeMode: false, logger: silent() });
    assert.deepEqual(cs.syncState("injector"), { lastSync: undefined, current: false });
    const t0 = Date.now();
    cs.apply({ metadata: { name: "istio-sidecar-injector" }, data: {} }, "injector");
    const s = cs.syncState("injector");
    assert.ok(s.lastSync! >= t0 && s.lastSync! <= Date.now());
    assert.equal(s.current, false);
    assert.equal(cs.syncState("mesh").lastSync, undefined);
  });
});

describe("certificateExpiries", () => {
  it("reports the CA that issued the serving certificate, not the soonest in a rotation bundle", async () => {
    const served = await generateServingCert({ dnsNames: ["a"] });
    const other = await generateCa(86_400_000);
    assert.ok(notAfter(other.cert) < notAfter(served.ca), "the unrelated CA expires first");
    const e = certificateExpiries({ cert: served.cert, ca: other.cert + served.ca });
    assert.equal(e.ca, notAfter(served.ca));
    assert.equal(e.serving, notAfter(served.cert));
    // No issuer among them: the soonest-expiring CA is the one to worry about.
    assert.equal(certificateExpiries({ cert: served.cert, ca: other.cert }).ca, notAfter(other.cert));
    assert.deepEqual(certificateExpiries(undefined), {});
    assert.deepEqual(certificateExpiries({ cert: "not a pem" }), {});
  });
});

describe("logs", () => {
  it("carry the level by name and an ISO 8601 time", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        cb();
      },
    });
    const logger = createLogger({ level: "debug", destination: sink });
    const before = Date.now();
    logger.warn({ port: 1 }, "careful");
    logger.error("broken");
    logger.debug("details");
    logger.trace("hidden");
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(parsed.map((p) => p.level), ["warn", "error", "debug"]);
    for (const p of parsed) {
      assert.equal(typeof p.time, "string");
      assert.match(p.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(p.time) - before) < 60_000);
      assert.equal(p.app, "pilotfish");
    }
    assert.equal(parsed[0].msg, "careful");
    assert.equal(parsed[0].port, 1);
  });
});

describe("--monitoring-port", () => {
  it("operator: --monitoring-port, and the earlier --metrics-port still wins when given", () => {
    const base = { leaderElect: false, leaseDuration: "15s", renewDeadline: "10s", retryPeriod: "2s", recheck: "30s", resync: "300s", workers: "1", logLevel: "info" };
    assert.equal(operatorSettings({ ...base, monitoringPort: "15014" }).metricsPort, 15014);
    assert.equal(operatorSettings({ ...base, monitoringPort: "0" }).metricsPort, 0);
    assert.equal(operatorSettings({ ...base, monitoringPort: "15014", metricsPort: "9090" }).metricsPort, 9090);
    assert.throws(() => operatorSettings({ ...base, monitoringPort: "x" }), /--monitoring-port "x"/);
  });

  describe("serve (the built bin)", () => {
    let child: ChildProcess | undefined;
    let stderr = "";
    before(() => {
      const b = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
      assert.equal(b.status, 0, `build failed:\n${b.stdout}\n${b.stderr}`);
    });
    after(() => {
      child?.kill("SIGKILL");
    });

    it("rejects a bad --monitoring-port at once", () => {
      const r = spawnSync(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "serve", "--monitoring-port", "http"], { cwd: root, encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--monitoring-port "http": not a port number/);
    });

    it("exits when the webhook port is taken (the monitoring port does not hold the process open)", async () => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
      const taken = (blocker.address() as net.AddressInfo).port;
      const mport = await freePort();
      const p = spawn(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "serve", "--port", String(taken), "--host", "127.0.0.1", "--monitoring-port", String(mport), "--log-level", "silent"], { cwd: root, stdio: "ignore" });
      const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
      const [code, signal] = await new Promise<[number | null, string | null]>((r) => p.once("exit", (c, s) => r([c, s])));
      clearTimeout(timer);
      blocker.close();
      assert.equal(signal, null, "killed after 30 s: the process hung");
      assert.notEqual(code, 0);
    });

    it("serves /metrics on the monitoring port with build info and the served certificate's expiry", async () => {
      const port = await freePort();
      child = spawn(process.execPath, [path.join(root, "bin/pilotfish.mjs"), "serve", "--port", "0", "--host", "127.0.0.1", "--monitoring-port", String(port), "--log-level", "info"], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout!.on("data", (c) => (stdout += c));
      child.stderr!.on("data", (c) => (stderr += c));
      let body = "";
      for (let i = 0; i < 200 && !body; i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => "");
      }
      assert.ok(body, `no /metrics on ${port}: ${stderr}\n${stdout}`);
      const m = parseExposition(body);
      const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
      const info = [...m.keys()].find((k) => k.startsWith("pilotfish_build_info{"));
      assert.ok(info, body);
      assert.match(info, new RegExp(`version="${pkg.version.replace(/\./g, "\\.")}"`));
      assert.match(info, /commit="[0-9a-f]{40}(-dirty)?"/, "the bundle's baked commit");
      assert.match(info, /istio_version="1\.30\.3"/);
      const serving = m.get('pilotfish_cert_expiry_timestamp_seconds{cert="serving"}');
      assert.ok(serving && serving > Date.now() / 1000, body);
      assert.ok(m.has("process_cpu_user_seconds_total"), "default process metrics");
      // Logs: level names and ISO times in the process's own output.
      const first = JSON.parse(stdout.split("\n").find((l) => l.includes("monitoring port listening"))!);
      assert.equal(first.level, "info");
      assert.match(first.time, /^\d{4}-\d{2}-\d{2}T/);
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => child!.once("exit", (c) => r(c)));
      child = undefined;
      assert.equal(code, 0, stderr);
    });
  });
});
