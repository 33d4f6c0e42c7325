// The plain-HTTP monitoring port (Istio's 15014 convention: istiod serves its metrics there, unencrypted, for
// a Prometheus that scrapes by pod annotation or ServiceMonitor). GET /metrics is the Prometheus exposition of
// the process's registry; GET /healthz answers "ok" (a liveness check that needs no TLS). Nothing else is
// served here: admission reviews stay on the HTTPS port.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

export const DEFAULT_MONITORING_PORT = 15014;

export interface MonitoringServer {
  server: Server;
  /** The port bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startMonitoringServer(o: { metrics: Metrics; port: number; host?: string; logger: Logger }): Promise<MonitoringServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("method not allowed\n");
      return;
    }
    if (path === "/metrics") {
      o.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { "Content-Type": o.metrics.registry.contentType }).end(body),
        (e: Error) => {
          o.logger.warn({ error: e.message }, "cannot collect metrics");
          res.writeHead(500, { "Content-Type": "text/plain" }).end(`cannot collect metrics: ${e.message}\n`);
        },
      );
    } else if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  // Scrapes are short; a stuck client must not hold a socket for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port, path: "/metrics" }, "monitoring port listening (plain HTTP)");
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
