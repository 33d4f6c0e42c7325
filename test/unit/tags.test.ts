// Revision tags (src/webhook/tags.ts) against what the real istioctl 1.30.3 produced on the local control plane
// (test/conformance/istioctl-tags/goldens, made by its gen.ts). istioctl's tag webhook copies istiod's revision
// webhook; pilotfish's copies pilotfish's. To compare like with like, the cluster here holds the very webhooks
// istioctl saw, marked as pilotfish's: then the tag objects must equal istioctl's except the differences named in
// `normalize` (pilotfish's builder adds timeoutSeconds, matchPolicy, rules[].scope and its excluded-namespaces
// expression; labels other than the tag's own are not compared).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import {
  NEVER_MATCH,
  buildTagService,
  deactivateDefaultRevision,
  findCanonical,
  formatTagJson,
  formatTagTable,
  generateTag,
  removeTagConfirmation,
  tabwrite,
  tagCreatedMessage,
  tagRows,
  checkTagName,
  selectorMatches,
  webhookOverlaps,
  type ClusterState,
  type TagRequest,
  type WebhookConfig,
} from "../../src/webhook/tags.js";
import { buildMutatingWebhookConfiguration } from "../../src/webhook/webhook-config.js";
import { resolveIop } from "../../src/config/resolve.js";
import { render, manifestObjects } from "../../src/operator/render/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const G = path.join(here, "../conformance/istioctl-tags/goldens");
const golden = (name: string) => fs.readFileSync(path.join(G, name), "utf8");
const goldenDocs = (name: string) => (yaml.loadAll(golden(`${name}.out`)) as any[]).filter(Boolean);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

const istioctlCluster = (yaml.loadAll(golden("cluster-objects.yaml")) as any[]).filter(Boolean);
/** The cluster istioctl saw, its webhooks marked as pilotfish's. */
function clusterAsPilotfish(): ClusterState {
  const webhooks = istioctlCluster.filter((o) => o.kind === "MutatingWebhookConfiguration").map((o) => {
    const c = clone(o);
    c.metadata.labels["app.kubernetes.io/managed-by"] = "pilotfish";
    return c;
  });
  const services = istioctlCluster.filter((o) => o.kind === "Service").map(clone);
  return { webhooks, services };
}

const req = (tag: string, revision: string, extra: Partial<TagRequest> = {}): TagRequest => ({ tag, revision, istioNamespace: "istio-system", generate: true, ...extra });

function normalizeWebhook(o: any): any {
  const c = clone(o);
  delete c.metadata.annotations;
  const l = c.metadata.labels;
  c.metadata.labels = { app: l.app, "istio.io/tag": l["istio.io/tag"], "istio.io/rev": l["istio.io/rev"] };
  for (const w of c.webhooks) {
    delete w.timeoutSeconds;
    delete w.matchPolicy;
    for (const r of w.rules) delete r.scope;
    for (const sel of [w.namespaceSelector, w.objectSelector]) {
      sel.matchExpressions = sel.matchExpressions.filter((e: any) => e.key !== "kubernetes.io/metadata.name");
    }
  }
  return c;
}

function normalizeService(o: any): any {
  const c = clone(o);
  delete c.status;
  for (const p of c.spec.ports) if (p.targetPort === 0) delete p.targetPort;
  const keep = ["app", "istio", "istio.io/rev", "istio.io/tag", "release", "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/instance"];
  c.metadata.labels = Object.fromEntries(keep.map((k) => [k, c.metadata.labels[k]]));
  return c;
}

function generated(r: TagRequest, state = clusterAsPilotfish()): any[] {
  const g = generateTag(state, r);
  if ("error" in g) throw new Error(g.error);
  return g.objects;
}

describe("tag generate: the objects equal istioctl 1.30.3's", () => {
  const cases: [string, TagRequest][] = [
    ["generate-prod-canary", req("prod", "canary")],
    ["generate-prod-default", req("prod", "default")],
    ["generate-default-canary", req("default", "canary")],
    ["generate-default-canary-auto", req("default", "canary", { autoInjectNamespaces: true })],
    ["generate-prod-canary-webhook-name", req("prod", "canary", { webhookName: "custom-prod" })],
  ];
  for (const [name, r] of cases) {
    it(name, () => {
      const ours = generated(r);
      const theirs = goldenDocs(name);
      const theirMwc = theirs.find((o) => o.kind === "MutatingWebhookConfiguration");
      const theirSvc = theirs.find((o) => o.kind === "Service");
      assert.deepEqual(normalizeWebhook(ours[0]), normalizeWebhook(theirMwc));
      assert.deepEqual(normalizeService(ours[1]), normalizeService(theirSvc));
      assert.deepEqual(ours.map((o) => o.kind), ["MutatingWebhookConfiguration", "Service"]);
      // istioctl's default tag also brings istiod-default-validator: pilotfish's validator covers every revision.
      if (r.tag === "default") assert.ok(theirs.some((o) => o.kind === "ValidatingWebhookConfiguration"));
    });
  }

  it("without normalization the only webhook differences are the named ones", () => {
    const ours = generated(req("prod", "canary"))[0] as any;
    const theirs = goldenDocs("generate-prod-canary")[0];
    assert.equal(ours.metadata.name, theirs.metadata.name);
    for (const [i, w] of ours.webhooks.entries()) {
      const t = theirs.webhooks[i];
      assert.equal(w.name, t.name);
      assert.deepEqual(w.clientConfig, t.clientConfig, "the canonical webhook's clientConfig (Service, path, caBundle) is copied");
      assert.equal(w.failurePolicy, t.failurePolicy);
      assert.equal(w.reinvocationPolicy, t.reinvocationPolicy);
      assert.deepEqual(w.admissionReviewVersions, t.admissionReviewVersions);
      assert.equal(w.sideEffects, t.sideEffects);
    }
  });
});

describe("tag generate on pilotfish's own webhooks", () => {
  const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const pilotfish = (revision: string, extra: Record<string, unknown> = {}): WebhookConfig =>
    buildMutatingWebhookConfiguration({
      revision,
      clientConfig: { service: { name: `pilotfish${revision === "default" ? "" : "-" + revision}`, namespace: "pilotfish-system" }, caBundle: CA },
      excludedNamespaces: ["pilotfish-system"],
      failurePolicy: "Ignore",
      timeoutSeconds: 7,
      ...extra,
    }) as WebhookConfig;
  const state = (): ClusterState => ({ webhooks: [pilotfish("default"), pilotfish("canary")], services: [] });

  it("points the tag at the injector serving the revision, with its policies and excluded namespaces", () => {
    const [mwc] = generated(req("prod", "canary"), state()) as any[];
    const canary = pilotfish("canary") as any;
    assert.equal(mwc.metadata.name, "istio-revision-tag-prod");
    assert.equal(mwc.metadata.labels["istio.io/tag"], "prod");
    assert.equal(mwc.metadata.labels["istio.io/rev"], "canary");
    assert.equal(mwc.metadata.labels["app.kubernetes.io/managed-by"], "pilotfish");
    assert.deepEqual(mwc.webhooks.map((w: any) => w.name), ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"]);
    for (const w of mwc.webhooks) {
      assert.deepEqual(w.clientConfig, canary.webhooks[0].clientConfig);
      assert.equal(w.failurePolicy, "Ignore");
      assert.equal(w.timeoutSeconds, 7);
      const excl = w.namespaceSelector.matchExpressions.find((e: any) => e.key === "kubernetes.io/metadata.name");
      assert.ok(excl.values.includes("pilotfish-system") && excl.values.includes("kube-system"));
    }
    assert.deepEqual(mwc.webhooks[0].namespaceSelector.matchExpressions[0], { key: "istio.io/rev", operator: "In", values: ["prod"] });
    assert.deepEqual(mwc.webhooks[1].objectSelector.matchExpressions[1], { key: "istio.io/rev", operator: "In", values: ["prod"] });
  });

  it("a URL clientConfig (pilotfish outside the cluster) and a Service path with Istio's cluster/network are copied", () => {
    const byUrl: ClusterState = { webhooks: [pilotfish("canary", { clientConfig: { url: "https://127.0.0.1:9443", caBundle: CA } })], services: [] };
    assert.equal((generated(req("prod", "canary"), byUrl)[0] as any).webhooks[1].clientConfig.url, "https://127.0.0.1:9443/inject");
    const path = "/inject/cluster/c1/net/n1";
    const byPath: ClusterState = { webhooks: [pilotfish("canary", { clientConfig: { service: { name: "pilotfish-canary", namespace: "pilotfish-system", port: 8443, path }, caBundle: CA } })], services: [] };
    assert.deepEqual((generated(req("prod", "canary"), byPath)[0] as any).webhooks[0].clientConfig.service, { name: "pilotfish-canary", namespace: "pilotfish-system", port: 8443, path });
  });

  it("the default tag carries istio-injection=enabled and sidecar.istio.io/inject=true (and auto with --auto-inject-namespaces)", () => {
    const names = (objs: any[]) => objs[0].webhooks.map((w: any) => w.name);
    assert.deepEqual(names(generated(req("default", "canary"), state())), [
      "rev.namespace.sidecar-injector.istio.io",
      "rev.object.sidecar-injector.istio.io",
      "namespace.sidecar-injector.istio.io",
      "object.sidecar-injector.istio.io",
    ]);
    assert.equal(names(generated(req("default", "canary", { autoInjectNamespaces: true }), state())).at(-1), "auto.sidecar-injector.istio.io");
    assert.equal(names(generated(req("prod", "canary", { autoInjectNamespaces: true }), state())).length, 2, "auto only for the default tag, as Istio's chart");
  });

  it("refuses a revision served by istiod only, naming its webhook", () => {
    const s: ClusterState = { webhooks: istioctlCluster.filter((o) => o.kind === "MutatingWebhookConfiguration").map(clone), services: [] };
    const r = findCanonical(s, req("prod", "canary"));
    assert.ok("error" in r && /has no pilotfish injection webhook \(found istio-sidecar-injector-canary/.test(r.error), JSON.stringify(r));
  });

  it("errors as istioctl: unknown revision, existing tag without --overwrite, tag named like a revision", () => {
    const err = (r: TagRequest, s = clusterAsPilotfish()) => {
      const g = generateTag(s, r);
      return "error" in g ? `Error: ${g.error}\n` : "";
    };
    assert.equal(err(req("prod", "nope")).replace("pilotfish's MutatingWebhookConfiguration", "MutatingWebhookConfiguration or Service"), golden("generate-unknown-revision.err"));
    const withProd = clusterAsPilotfish();
    const [mwc, svc] = generated(req("prod", "canary"));
    withProd.webhooks.push(mwc as WebhookConfig);
    withProd.services.push(svc);
    assert.equal(err(req("prod", "default"), withProd), golden("generate-prod-exists.err"));
    assert.equal(err(req("prod", "default", { generate: false }), withProd), golden("set-prod-exists.err"));
    assert.equal(err(req("prod", "default", { overwrite: true }), withProd), "");
    assert.equal(err(req("canary", "default", { generate: false })), golden("set-collides-with-revision.err"));
    assert.equal(err(req("canary", "default", { generate: true })), "", "generate skips the collision check, as istioctl");
  });

  it("tag names must be label values", () => {
    assert.equal(checkTagName("prod"), undefined);
    assert.equal(checkTagName("1-30-3"), undefined);
    assert.ok(checkTagName("Prod"));
    assert.ok(checkTagName("prod_1"));
    assert.ok(checkTagName("-x"));
    assert.ok(checkTagName("a".repeat(64)));
  });
});

describe("tag set default deactivates the default revision's webhooks as istioctl does", () => {
  it("every entry of istio.io/rev=default (no tag) selects nothing, the rest is kept", () => {
    const s = clusterAsPilotfish();
    const out = deactivateDefaultRevision(s);
    assert.deepEqual(out.map((w) => w.metadata?.name), ["istio-sidecar-injector"]);
    const after = (yaml.load(golden("after-set-default.yaml")) as any).items.find((o: any) => o.metadata.name === "istio-sidecar-injector");
    assert.equal(out[0].webhooks!.length, after.webhooks.length);
    for (const [i, w] of out[0].webhooks!.entries()) {
      assert.deepEqual(w.namespaceSelector, NEVER_MATCH);
      assert.deepEqual(w.objectSelector, NEVER_MATCH);
      assert.deepEqual(after.webhooks[i].namespaceSelector, NEVER_MATCH);
      assert.deepEqual(w.clientConfig, s.webhooks[0].webhooks![i].clientConfig);
    }
    // Already deactivated: nothing to write.
    assert.deepEqual(deactivateDefaultRevision({ webhooks: out, services: [] }), []);
  });
});

describe("tag list and remove print as istioctl", () => {
  const withTag = (tag: string, revision: string): ClusterState => {
    const s = clusterAsPilotfish();
    const [mwc, svc] = generated(req(tag, revision), s);
    s.webhooks.push(mwc as WebhookConfig);
    s.services.push(svc);
    return s;
  };
  const nsOf = (m: Record<string, string[]>) => (tag: string) => m[tag] ?? [];

  it("no tags: the revisions with an empty tag", () => {
    assert.equal(formatTagTable(tagRows(clusterAsPilotfish(), nsOf({}))), golden("list-empty.out"));
  });
  it("a tag used by a namespace hides its revision's empty row", () => {
    const rows = tagRows(withTag("prod", "canary"), nsOf({ prod: ["app"] }));
    assert.equal(formatTagTable(rows), golden("list.out"));
    assert.equal(formatTagJson(rows), golden("list-json.out"));
  });
  it("the default tag", () => {
    assert.equal(formatTagTable(tagRows(withTag("default", "canary"), nsOf({}))), golden("list-default.out"));
  });
  it("tabwriter pads every column but the last", () => {
    assert.equal(tabwrite([["A", "BB", "C"], ["long", "", ""]]), "A    BB C\nlong    \n");
  });
  it("messages", () => {
    assert.equal(removeTagConfirmation("prod", ["app"]) + "\n", golden("remove-used-no.out").split("\n")[0] + "\n");
    assert.equal(tagCreatedMessage("prod", "canary"), golden("set-prod-canary.out"));
    assert.equal(tagCreatedMessage("default", "canary"), golden("set-default-canary.out"));
  });
});

describe("the tag's Service is the one manifest generate renders for values.revisionTags", () => {
  it("same object, minus the installer's ownership labels (a tag is user-managed)", async () => {
    const r = resolveIop({ docs: [], sets: ["revision=canary", "values.revisionTags[0]=prod"] });
    const rendered = manifestObjects(render(r)).find((o: any) => o.kind === "Service" && o.metadata.name === "istiod-revision-tag-prod") as any;
    assert.ok(rendered);
    const theirs = clone(rendered);
    for (const k of Object.keys(theirs.metadata.labels)) if (k.includes("operator.istio.io")) delete theirs.metadata.labels[k];
    assert.deepEqual(buildTagService({ tag: "prod", revision: "canary", istioNamespace: "istio-system" }), theirs);
  });
});

describe("serve --register-webhook keeps a webhook `tag set default` deactivated", () => {
  // A minimal API server holding MutatingWebhookConfigurations by name (GET, PUT, POST).
  async function fakeApi(initial: Record<string, any>) {
    const http = await import("node:http");
    const k8s = await import("@kubernetes/client-node");
    const store = new Map<string, any>(Object.entries(initial));
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const name = decodeURIComponent((req.url ?? "").split("?")[0].split("/mutatingwebhookconfigurations")[1]?.replace(/^\//, "") ?? "");
        const send = (status: number, o: unknown) => {
          res.writeHead(status, { "Content-Type": "application/json" });
          res.end(JSON.stringify(o));
        };
        if (req.method === "GET") return store.has(name) ? send(200, store.get(name)) : send(404, { kind: "Status", code: 404 });
        const o = JSON.parse(body);
        store.set(o.metadata.name, { ...o, metadata: { ...o.metadata, resourceVersion: "2" } });
        send(req.method === "POST" ? 201 : 200, store.get(o.metadata.name));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as any).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
    return { kc, store, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it("re-registering a deactivated webhook keeps it never-matching; an active one is re-written with its selectors", async () => {
    const { registerInjectionWebhook } = await import("../../src/webhook/register.js");
    const opts = { clientConfig: { url: "https://127.0.0.1:1", caBundle: "x" } };
    const active = buildMutatingWebhookConfiguration(opts) as any;
    const deactivated = { ...clone(active), metadata: { ...active.metadata, resourceVersion: "1" } };
    for (const w of deactivated.webhooks) Object.assign(w, { namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH });
    const api = await fakeApi({ "istio-sidecar-injector": deactivated });
    try {
      await registerInjectionWebhook(api.kc, opts);
      const after = api.store.get("istio-sidecar-injector");
      assert.equal(after.webhooks.length, active.webhooks.length);
      for (const w of after.webhooks) assert.deepEqual([w.namespaceSelector, w.objectSelector], [NEVER_MATCH, NEVER_MATCH]);
      assert.deepEqual(after.webhooks[0].clientConfig, active.webhooks[0].clientConfig, "the endpoint is still updated");
      // Once someone restores the selectors (or deletes the object), registration writes them as usual.
      api.store.set("istio-sidecar-injector", { ...clone(active), metadata: { ...active.metadata, resourceVersion: "3" } });
      await registerInjectionWebhook(api.kc, opts);
      assert.deepEqual(api.store.get("istio-sidecar-injector").webhooks[0].namespaceSelector, active.webhooks[0].namespaceSelector);
    } finally {
      await api.close();
    }
  });
});

describe("a tag selects exactly the pods its revision would select with the tag's name replaced by the revision's", () => {
  type Labels = Record<string, string>;
  type Req = { key: string; operator: string; values?: string[] };
  const matches = (sel: any, l: Labels) =>
    Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => l[k] === v) &&
    (sel?.matchExpressions ?? []).every((e: Req) => {
      const has = e.key in l;
      if (e.operator === "In") return has && e.values!.includes(l[e.key]);
      if (e.operator === "NotIn") return !has || !e.values!.includes(l[e.key]);
      if (e.operator === "Exists") return has;
      if (e.operator === "DoesNotExist") return !has;
      throw new Error(e.operator);
    });
  const selects = (mwc: any, ns: Labels, pod: Labels) => mwc.webhooks.some((w: any) => matches(w.namespaceSelector, ns) && matches(w.objectSelector, pod));
  const opt = (key: string, values: string[]) => [{}, ...values.map((v) => ({ [key]: v }))] as Labels[];
  function* combos(tag: string, rev: string) {
    for (const nsRev of opt("istio.io/rev", [tag, rev, "other"]))
      for (const nsInj of opt("istio-injection", ["enabled", "disabled"]))
        for (const podInj of opt("sidecar.istio.io/inject", ["true", "false"]))
          for (const podRev of opt("istio.io/rev", [tag, rev, "other"]))
            yield { ns: { "kubernetes.io/metadata.name": "app", ...nsRev, ...nsInj }, pod: { app: "x", ...podInj, ...podRev } };
  }
  const swap = (l: Labels, from: string, to: string) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, k === "istio.io/rev" && v === from ? to : v]));
  const revisionWebhook = (revision: string, auto = false) => buildMutatingWebhookConfiguration({ revision, clientConfig: { url: "https://x" }, enableNamespacesByDefault: auto });
  const state = (): ClusterState => ({ webhooks: [revisionWebhook("default") as WebhookConfig, revisionWebhook("canary") as WebhookConfig], services: [] });

  /** The revisions whose injector gets the pod: each selecting webhook configuration's istio.io/rev. */
  const injectors = (mwcs: any[], ns: Labels, pod: Labels) => [...new Set(mwcs.filter((m) => selects(m, ns, pod)).map((m) => m.metadata.labels["istio.io/rev"]))].sort();

  it("tag prod -> canary: every pod goes to the injector it would go to with prod replaced by canary, and to one at most", () => {
    const [tagMwc] = generated(req("prod", "canary"), state());
    const revisions = [revisionWebhook("default"), revisionWebhook("canary")];
    let viaTag = 0;
    for (const { ns, pod } of combos("prod", "canary")) {
      const got = injectors([...revisions, tagMwc], ns, pod);
      assert.deepEqual(got, injectors(revisions, swap(ns, "prod", "canary"), swap(pod, "prod", "canary")), JSON.stringify({ ns, pod }));
      assert.ok(got.length <= 1, JSON.stringify({ ns, pod, got }));
      if (selects(tagMwc, ns, pod)) viaTag++;
    }
    assert.ok(viaTag > 0);
  });

  for (const auto of [false, true]) {
    it(`tag default -> canary${auto ? " (--auto-inject-namespaces)" : ""}: selects what the default revision's webhook selects`, () => {
      const [tagMwc] = generated(req("default", "canary", { autoInjectNamespaces: auto }), state());
      for (const { ns, pod } of combos("default", "canary")) {
        assert.equal(selects(tagMwc, ns, pod), selects(revisionWebhook("default", auto), ns, pod), JSON.stringify({ ns, pod }));
      }
    });
  }
});

describe("webhook overlap analysis before tag set (Istio's IST0139)", () => {
  const pf = (revision: string) => buildMutatingWebhookConfiguration({ revision, clientConfig: { url: "https://127.0.0.1:1" } }) as WebhookConfig;
  const tagOf = (s: ClusterState, r: TagRequest) => generated(r, s)[0] as WebhookConfig;
  const afterDeactivation = (s: ClusterState) => s.webhooks.map((w) => deactivateDefaultRevision(s).find((d) => d.metadata?.name === w.metadata?.name) ?? w);

  it("none where istioctl found none (its set-prod-canary and set-default-canary printed nothing), nor on the e2e's injectors", () => {
    for (const s of [clusterAsPilotfish(), { webhooks: [pf("default"), pf("canary")], services: [] }]) {
      assert.deepEqual(webhookOverlaps(s.webhooks, tagOf(s, req("prod", "canary"))), []);
      assert.deepEqual(webhookOverlaps(afterDeactivation(s), tagOf(s, req("default", "canary"))), []);
      assert.deepEqual(golden("set-prod-canary.err") + golden("set-default-canary.err"), "");
    }
  });

  it("the default tag beside an active default revision: each doubly-selected entry is named", () => {
    const s: ClusterState = { webhooks: [pf("default"), pf("canary")], services: [] };
    const msgs = webhookOverlaps(s.webhooks, tagOf(s, req("default", "canary")));
    assert.ok(msgs.length >= 4, msgs.join("\n"));
    assert.ok(
      msgs.includes("Error [IST0139] (MutatingWebhookConfiguration istio-revision-tag-default) Webhook overlaps with others: [istio-sidecar-injector/namespace.sidecar-injector.istio.io]. This may cause injection to occur twice."),
      msgs.join("\n"),
    );
  });

  it("another webhook selecting the tag's name", () => {
    const s: ClusterState = { webhooks: [pf("default"), pf("canary")], services: [] };
    const stray = pf("canary") as any;
    stray.metadata.name = "someone-elses";
    stray.webhooks = stray.webhooks.slice(0, 1);
    stray.webhooks[0].namespaceSelector.matchExpressions[0].values = ["prod"];
    const msgs = webhookOverlaps([...s.webhooks, stray], tagOf(s, req("prod", "canary")));
    assert.deepEqual(msgs, [
      "Error [IST0139] (MutatingWebhookConfiguration istio-revision-tag-prod) Webhook overlaps with others: [someone-elses/rev.namespace.sidecar-injector.istio.io]. This may cause injection to occur twice.",
    ]);
  });

  it("selectorMatches follows Kubernetes (NotIn holds for an absent key, an absent selector matches all)", () => {
    assert.equal(selectorMatches(undefined, {}), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, {}), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, {}), false);
    assert.equal(selectorMatches({ matchLabels: { a: "x" }, matchExpressions: [{ key: "b", operator: "DoesNotExist" }] }, { a: "x" }), true);
    assert.equal(selectorMatches(NEVER_MATCH, { a: "x" }), false);
  });
});
