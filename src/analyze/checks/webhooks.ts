// Injector webhooks: two that would both inject the same pod (double injection), one whose service does not
// exist, and workloads written for manual injection (`image: auto`) that no injector webhook will fill in.
import type { Analyzer, Obj, Resource } from "../types.js";
import { arr, labelSelectorMatches, obj, ofKind, str } from "../util.js";

const REV = "istio.io/rev";

function revisionsOf(m: Resource): string[] {
  const revs = new Set<string>();
  if (REV in m.labels) revs.add(m.labels[REV]);
  for (const w of arr<Obj>(m.object.webhooks)) {
    for (const sel of [obj(w.namespaceSelector), obj(w.objectSelector)]) {
      if (REV in obj(sel.matchLabels)) revs.add(str(sel.matchLabels[REV]));
      for (const e of arr<Obj>(sel.matchExpressions)) if (e.key === REV) for (const v of arr(e.values)) revs.add(str(v));
    }
  }
  return [...revs];
}

const isIstioWebhook = (m: Resource) => arr<Obj>(m.object.webhooks).some((w) => str(w.name).endsWith("istio.io"));

export const injectorWebhooks: Analyzer = {
  name: "webhook.Analyzer",
  description: "Checks the validity of Istio webhooks",
  run(s, report) {
    const hooks: { m: Resource; w: Obj; id: string }[] = [];
    const revisions = new Set<string>();
    for (const m of ofKind(s, "MutatingWebhookConfiguration")) {
      const revs = revisionsOf(m);
      if (revs.length === 0 && !isIstioWebhook(m)) continue;
      for (const w of arr<Obj>(m.object.webhooks)) hooks.push({ m, w, id: `${m.name}/${str(w.name)}` });
      for (const r of revs) revisions.add(r);
    }
    const base = (key: string, vals: string[]) => [{}, ...vals.map((v) => ({ [key]: v }))] as Record<string, string>[];
    const nsBase = base("istio-injection", ["enabled", "disabled"]);
    const objBase = base("sidecar.istio.io/inject", ["true", "false"]);
    const withRevs = (list: Record<string, string>[]) => [...list, ...[...revisions].flatMap((r) => list.map((l) => ({ ...l, [REV]: r })))];
    for (const nl of withRevs(nsBase)) {
      for (const ol of withRevs(objBase)) {
        const matches = [...new Set(hooks.filter((h) => labelSelectorMatches(h.w.namespaceSelector, nl) && labelSelectorMatches(h.w.objectSelector, ol)).map((h) => h.id))];
        if (matches.length < 2) continue;
        for (const id of matches) {
          const h = hooks.find((x) => x.id === id)!;
          const others = matches.filter((x) => x !== id).sort();
          report({ code: "IST0139", resource: h.m, args: [`Webhook overlaps with others: [${others.join(" ")}]. This may cause injection to occur twice.`] });
        }
      }
    }
    const services = new Set(ofKind(s, "Service", "").map((x) => `${x.namespace}/${x.name}`));
    for (const h of hooks) {
      const svc = obj(h.w.clientConfig).service;
      if (!svc) continue;
      const name = `${str(obj(svc).namespace)}/${str(obj(svc).name)}`;
      if (!services.has(name)) report({ code: "IST0139", resource: h.m, args: [`Injector refers to a control plane service that does not exist: ${name}.`] });
    }
  },
};

const hasAutoImage = (spec: Obj) => arr<Obj>(spec.containers).some((c) => c.name === "istio-proxy" && c.image === "auto");

export const imageAuto: Analyzer = {
  name: "injection.ImageAutoAnalyzer",
  description: "Makes sure that Pods and Deployments with `image: auto` are going to be injected",
  run(s, report) {
    const webhooks = ofKind(s, "MutatingWebhookConfiguration").flatMap((m) => arr<Obj>(m.object.webhooks).filter((w) => str(w.name).endsWith("istio.io")));
    for (const p of ofKind(s, "Pod", "")) if (hasAutoImage(p.spec)) report({ code: "IST0147", resource: p, args: ["Pod", p.name] });
    const namespaces = new Map(ofKind(s, "Namespace", "").map((n) => [n.name, n.labels]));
    for (const d of ofKind(s, "Deployment", "apps")) {
      const tpl = obj(d.spec.template);
      if (!hasAutoImage(obj(tpl.spec))) continue;
      const nsLabels = namespaces.get(d.namespace || "default") ?? {};
      const podLabels = obj(obj(tpl.metadata).labels) as Record<string, string>;
      if (!webhooks.some((w) => labelSelectorMatches(w.namespaceSelector, nsLabels) && labelSelectorMatches(w.objectSelector, podLabels))) {
        report({ code: "IST0146", resource: d, args: ["Deployment", d.name] });
      }
    }
  },
};
