// The `gateway` template (inject.istio.io/templates: gateway): a standalone Envoy for gateway Deployments.
import { isObject, str, truthy } from "../../config/values.js";
import { A } from "./annotations.js";
import { ann, appContainers, globalValues, proxyValues, type TemplateContext } from "./context.js";
import { dropNulls } from "./merge.js";
import {
  commonProxyEnvHead, defaultContainerAnnotations, proxyAgentArgs, imagePullSecrets, meshIdentityEnv, ownerEnv, proxyVolumeMounts, proxyVolumes,
} from "./sidecar.js";
import type { Obj } from "./types.js";

export function renderGatewayTemplate(t: TemplateContext): Obj {
  const g = globalValues(t);
  const p = proxyValues(t);
  const l = t.labels;
  const labels: Obj = {
    "service.istio.io/canonical-name": l["service.istio.io/canonical-name"] ?? l["app.kubernetes.io/name"] ?? l["app"] ?? t.deployMeta.name,
    "service.istio.io/canonical-revision": l["service.istio.io/canonical-revision"] ?? l["app.kubernetes.io/version"] ?? l["version"] ?? "latest",
  };
  const annotations: Obj = { "istio.io/rev": t.revision || "default", ...defaultContainerAnnotations(t) };

  const args = proxyAgentArgs(t, "router");

  const env = commonProxyEnvHead(t, false);
  env.push(
    { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1" } } },
    { name: "GOMAXPROCS", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1" } } },
  );
  if (t.compliancePolicy) env.push({ name: "COMPLIANCE_POLICY", value: t.compliancePolicy });
  env.push(
    { name: "ISTIO_META_APP_CONTAINERS", value: appContainers(t).join(",") },
    { name: "ISTIO_META_CLUSTER_ID", value: str(g.multiCluster?.clusterName) || "Kubernetes" },
    { name: "ISTIO_META_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    { name: "ISTIO_META_INTERCEPTION_MODE", value: str(t.proxyConfig.interceptionMode || "REDIRECT") },
  );
  const network = str(g.network);
  if (network) env.push({ name: "ISTIO_META_NETWORK", value: network });
  env.push(...ownerEnv({ ...t, labels: {} }));
  if (Object.prototype.hasOwnProperty.call(t.annotations, A.bootstrapOverride)) {
    env.push({ name: "ISTIO_BOOTSTRAP_OVERRIDE", value: "/etc/istio/custom-bootstrap/custom_bootstrap.json" });
  }
  env.push(...meshIdentityEnv(t));
  const md = t.proxyConfig.proxyMetadata;
  if (isObject(md)) for (const k of Object.keys(md).sort()) env.push({ name: k, value: str(md[k]) });

  const proxy: Obj = {
    name: "istio-proxy",
    image: (() => {
      const c = ann(t, A.proxyImage, p.image);
      return c.includes("/") ? c : t.proxyImage;
    })(),
    ports: [{ containerPort: 15090, protocol: "TCP", name: "http-envoy-prom" }],
    args,
  };
  const lifecycle = p.lifecycle;
  if (truthy(lifecycle)) proxy.lifecycle = lifecycle;
  proxy.securityContext = { runAsUser: t.proxyUID, runAsGroup: t.proxyGID };
  proxy.env = env;
  const pullPolicy = str(g.imagePullPolicy);
  if (pullPolicy) proxy.imagePullPolicy = pullPolicy;
  proxy.readinessProbe = {
    httpGet: { path: "/healthz/ready", port: 15021 },
    ...nonZero({
      initialDelaySeconds: Number(p.readinessInitialDelaySeconds ?? 0),
      periodSeconds: Number(p.readinessPeriodSeconds ?? 0),
      timeoutSeconds: 3,
      failureThreshold: Number(p.readinessFailureThreshold ?? 0),
    }),
  };
  proxy.volumeMounts = proxyVolumeMounts(t, { gateway: true });

  const gwSc = t.values.gateways?.securityContext;
  const securityContext = truthy(gwSc) ? gwSc : { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] };
  const spec: Obj = { securityContext, containers: [proxy], volumes: proxyVolumes(t, { gateway: true }) };
  const pullSecrets = imagePullSecrets(t);
  if (pullSecrets) spec.imagePullSecrets = pullSecrets;
  return dropNulls({ metadata: { labels, annotations }, spec });
}

function nonZero(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === 0) delete o[k];
  return o;
}
