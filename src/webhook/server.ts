// The HTTPS admission server. Admission reviews (/inject, /inject/..., /validate) take a lean handler on the
// hot path; express serves the operational endpoints (/healthz, /readyz, /metrics) and everything else.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Logger } from "../telemetry/logger.js";
import type { Metrics } from "../telemetry/metrics.js";
import { BadReviewError, handleInjectReview, parseAdmissionReview, pathParamsToEnv, type ParsedReview } from "./admission.js";
import type { TlsMaterial } from "../kube/certs.js";
import type { InjectionSettings } from "./inject/types.js";

/** Istio's admission body limit (6 MiB). */
export const DEFAULT_BODY_LIMIT = 6 * 1024 * 1024;

/**
 * Connection limits and timeouts of the HTTPS server (README "Reliability"). Istio's webhook server (Go net/http)
 * has ReadHeaderTimeout 30 s, IdleTimeout 90 s, TLS 1.2 minimum, 1 MiB of headers and no connection cap; the API
 * server gives a webhook at most 30 s (timeoutSeconds 1-30, default 10) and sends a few hundred bytes of headers.
 */
export interface ServerLimits {
  /** A request's headers must arrive within this (slow-header clients get 408 and are closed). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this (slow-body clients get 408 and are closed). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A TLS handshake must complete within this (a silent TCP connection is closed). */
  handshakeTimeoutMs: number;
  /** Open connections at most; connections beyond are closed at once (0: no cap). An idle TLS connection costs
   *  ~37 KiB: 5,000 of them ~180 MiB, within the chart's 512 MiB memory limit with room for reviews. */
  maxConnections: number;
  /** Request line and headers at most, in bytes; more gets 431. */
  maxHeaderSize: number;
  /** How often the timeouts above are checked (their granularity). */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 90_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 5_000,
  maxHeaderSize: 16 * 1024,
  checkIntervalMs: 1_000,
};

export interface SettingsSource {
  current(): InjectionSettings;
  /** True once the settings come from their real source (ConfigMaps synced, or files read). */
  synced(): boolean;
}

/** Settings fixed at start (files and flags): always synced. */
export class StaticSettings implements SettingsSource {
  constructor(private readonly s: InjectionSettings) {}
  current(): InjectionSettings {
    return this.s;
  }
  synced(): boolean {
    return true;
  }
}

export type ValidateHandler = (review: ParsedReview) => { body: unknown; kind: string; result: "allowed" | "denied" | "error" };

export interface ServerOptions {
  port: number;
  host?: string;
  tls: TlsMaterial;
  settings: SettingsSource;
  revision?: string;
  logger: Logger;
  metrics: Metrics;
  bodyLimit?: number;
  /** Timeouts and connection limits; each unset field takes its DEFAULT_LIMITS value. */
  limits?: Partial<ServerLimits>;
  validate?: ValidateHandler;
  /** Namespace annotations lookup (OpenShift UID ranges); only called when settings.platform is openshift. */
  namespaceAnnotations?: (namespace: string) => Record<string, string> | undefined;
  /** More readiness conditions (a serving certificate loaded from its Secret, say): the problems, or none. */
  readiness?: () => string[];
}

export interface WebhookServer {
  server: https.Server;
  port: number;
  url: string;
  /** Serve a new certificate from the next handshake on; open connections are kept. */
  updateTls(m: TlsMaterial): void;
  /** Turn /readyz false, keep serving `graceMs` (endpoints and proxies notice), wait for in-flight reviews
   *  (bounded by `timeoutMs`), then close. Responses while draining ask the client not to reuse the connection. */
  drain(timeoutMs?: number, graceMs?: number): Promise<void>;
  /** Admission reviews answered so far, and those in flight. */
  stats(): { answered: number; inFlight: number };
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > limit) {
      req.resume();
      reject(new HttpError(413, `request entity too large: limit is ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request entity too large: limit is ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (e) => {
      if (!failed) reject(new HttpError(400, `cannot read body: ${e.message}`));
    });
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text + "\n");
}

function sendJson(res: ServerResponse, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

async function readReview(req: IncomingMessage, limit: number): Promise<ParsedReview> {
  const body = await readBody(req, limit);
  const type = String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") throw new HttpError(415, `invalid Content-Type ${JSON.stringify(req.headers["content-type"] ?? "")}, want application/json`);
  if (body.length === 0) throw new HttpError(400, "no body found");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseAdmissionReview(parsed);
  } catch (e) {
    if (e instanceof BadReviewError) throw new HttpError(400, `not an AdmissionReview: ${e.message}`);
    throw e;
  }
}

export async function startWebhookServer(opts: ServerOptions): Promise<WebhookServer> {
  const { logger, metrics } = opts;
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let draining = false;
  let inFlight = 0;
  let answered = 0;
  let idle: (() => void) | undefined;

  const injectHandler = async (req: IncomingMessage, res: ServerResponse, rest: string) => {
    const start = process.hrtime.bigint();
    metrics.injectRequests.inc();
    let review: ParsedReview;
    try {
      review = await readReview(req, limit);
    } catch (e) {
      metrics.injectFailure.inc();
      const err = e instanceof HttpError ? e : new HttpError(400, (e as Error).message);
      logger.warn({ path: req.url, status: err.status, error: err.message }, "rejected injection request");
      sendText(res, err.status, err.message);
      return;
    }
    const settings = opts.settings.current();
    const ns = review.request.namespace ?? "";
    const nsAnnotations = settings.platform === "openshift" ? opts.namespaceAnnotations?.(ns) : undefined;
    const out = handleInjectReview(review, settings, { revision: opts.revision, pathParams: pathParamsToEnv(rest), namespaceAnnotations: nsAnnotations });
    sendJson(res, out.body);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.injectTime.observe(seconds);
    metrics.injectLatency.observe({ result: out.result }, seconds);
    metrics.injectSuccess.inc();
    if (out.result === "skipped") metrics.injectSkip.inc();
    if (out.result === "error" || out.result === "denied") metrics.injectFailure.inc();
    const line = { namespace: out.namespace, pod: out.pod, decision: out.result, reason: out.reason, uid: review.request.uid, durationMs: +(seconds * 1000).toFixed(3) };
    if (out.result === "error") logger.error(line, "injection review");
    else logger.info(line, "injection review");
  };

  const validateHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const start = process.hrtime.bigint();
    let review: ParsedReview;
    try {
      review = await readReview(req, limit);
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(400, (e as Error).message);
      metrics.validateRequests.inc({ kind: "unknown", result: "error" });
      metrics.galleyHttpError.inc({ status: String(err.status) });
      sendText(res, err.status, err.message);
      return;
    }
    if (!opts.validate) {
      sendJson(res, { apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, allowed: true } });
      return;
    }
    let out: ReturnType<ValidateHandler>;
    try {
      out = opts.validate(review);
    } catch (e) {
      // A validator fault must not block writes: allow and say so.
      const message = `pilotfish: validation failed internally, object admitted unchecked: ${(e as Error).message}`;
      out = { kind: review.request.kind?.kind ?? "unknown", result: "error", body: { apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, allowed: true, warnings: [message] } } };
    }
    sendJson(res, out.body);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.validateRequests.inc({ kind: out.kind, result: out.result });
    metrics.validateLatency.observe({ result: out.result }, seconds);
    countGalley(metrics, review, out.result);
    logger.info({ kind: out.kind, namespace: review.request.namespace, name: review.request.name, operation: review.request.operation, decision: out.result, durationMs: +(seconds * 1000).toFixed(3) }, "validation review");
  };

  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });
  app.get("/readyz", (_req, res) => {
    const problems: string[] = [];
    if (draining) problems.push("draining");
    if (!opts.settings.synced()) problems.push("injection settings not synced");
    if (opts.readiness) problems.push(...opts.readiness());
    if (problems.length) res.status(503).type("text/plain").send(problems.join(", ") + "\n");
    else res.type("text/plain").send("ok\n");
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).type("text/plain").send("not found\n");
  });

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const path = url.split("?")[0];
    const isInject = path === "/inject" || path.startsWith("/inject/");
    const isValidate = path === "/validate" || path.startsWith("/validate/");
    if (!isInject && !isValidate) {
      app(req as express.Request, res as express.Response);
      return;
    }
    if (req.method !== "POST") {
      sendText(res, 405, `method ${req.method} not allowed, use POST`);
      return;
    }
    inFlight++;
    if (draining) res.setHeader("Connection", "close");
    const done = () => {
      inFlight--;
      answered++;
      if (inFlight === 0 && idle) idle();
    };
    const work = isInject ? injectHandler(req, res, path.slice("/inject".length)) : validateHandler(req, res);
    work
      .catch((e) => {
        logger.error({ error: (e as Error).message }, "admission handler fault");
        if (!res.headersSent) sendText(res, 500, "internal error");
      })
      .finally(done);
  };

  const lim: ServerLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(opts.limits ?? {}).filter(([, v]) => v !== undefined)) };
  const server = https.createServer(
    {
      key: opts.tls.key,
      cert: opts.tls.cert,
      // TLS 1.0/1.1 are refused, as by Istio's webhook server (Go's crypto/tls with MinVersion TLS 1.2).
      minVersion: "TLSv1.2",
      handshakeTimeout: lim.handshakeTimeoutMs,
      maxHeaderSize: lim.maxHeaderSize,
      // Node checks headersTimeout/requestTimeout on this period (30 s by default: a slow client would outlive them).
      connectionsCheckingInterval: lim.checkIntervalMs,
    },
    dispatch,
  );
  // The API server keeps connections open for reuse longer than Node's 5 s default (Istio: IdleTimeout 90 s).
  // headersTimeout runs from a connection's start or a request's first byte; an idle keep-alive connection is under
  // keepAliveTimeout only, so headersTimeout need not exceed it (Node 18+).
  server.keepAliveTimeout = lim.keepAliveTimeoutMs;
  server.headersTimeout = lim.headersTimeoutMs;
  server.requestTimeout = lim.requestTimeoutMs;
  if (lim.maxConnections > 0) server.maxConnections = lim.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";

  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });

  return {
    server,
    port,
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    updateTls(m: TlsMaterial) {
      server.setSecureContext({ key: m.key, cert: m.cert, minVersion: "TLSv1.2" });
      logger.info("serving certificate updated");
    },
    stats: () => ({ answered, inFlight }),
    async drain(timeoutMs = 20_000, graceMs = 0) {
      draining = true;
      if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((r) => (idle = r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
      }
      await close();
    },
    close,
  };
}

/** Istio's galley_validation_* counters, with the reasons Istio's webhook uses (failures in dry runs are not counted, as in Istio). */
function countGalley(metrics: Metrics, review: ParsedReview, result: string): void {
  const r = review.request;
  const res = (r as { resource?: { group?: string; version?: string; resource?: string } }).resource ?? {};
  const labels = { group: res.group ?? "", version: res.version ?? "", resource: res.resource ?? "" };
  const dryRun = (r as { dryRun?: boolean }).dryRun === true;
  if (r.operation !== "CREATE" && r.operation !== "UPDATE") {
    if (!dryRun) metrics.galleyFailed.inc({ ...labels, reason: "unsupported_operation" });
  } else if (result === "denied") {
    if (!dryRun) metrics.galleyFailed.inc({ ...labels, reason: "invalid_resource" });
  } else if (result === "allowed") metrics.galleyPassed.inc(labels);
}
