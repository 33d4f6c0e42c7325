// Strategic merge patch for Pods (src/webhook/inject/merge.ts), the rules Kubernetes applies and Istio relies on
// to merge its rendered template onto a pod (../shared/spec/injection.md section g, "Strategic merge semantics").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cloneJson, dropNulls, strategicMerge } from "../../src/webhook/inject/merge.js";

const names = (list: { name: string }[]) => list.map((x) => x.name);

describe("strategicMerge: maps and scalars", () => {
  it("merges maps recursively; the patch wins on scalars; untouched keys stay", () => {
    const base = { metadata: { labels: { app: "a", tier: "web" }, annotations: { x: "1" } }, spec: { restartPolicy: "Always" } };
    const patch = { metadata: { labels: { tier: "api", new: "n" } }, spec: { restartPolicy: "Never", hostname: "h" } };
    assert.deepEqual(strategicMerge(base, patch), {
      metadata: { labels: { app: "a", tier: "api", new: "n" }, annotations: { x: "1" } },
      spec: { restartPolicy: "Never", hostname: "h" },
    });
  });

  it("a null in the patch deletes the key", () => {
    assert.deepEqual(strategicMerge({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null } }), { b: { d: 3 } });
  });

  it("$patch: replace replaces the map instead of merging it", () => {
    assert.deepEqual(strategicMerge({ s: { a: 1, b: 2 } }, { s: { $patch: "replace", c: 3 } }), { s: { c: 3 } });
  });

  it("never modifies its inputs", () => {
    const base = { spec: { containers: [{ name: "app", env: [{ name: "A", value: "1" }] }] } };
    const patch = { spec: { containers: [{ name: "app", env: [{ name: "B", value: "2" }] }, { name: "istio-proxy" }] } };
    const b = JSON.stringify(base);
    const p = JSON.stringify(patch);
    const out = strategicMerge(base, patch);
    out.spec.containers[0].env.push({ name: "C" });
    assert.equal(JSON.stringify(base), b);
    assert.equal(JSON.stringify(patch), p);
  });
});

describe("strategicMerge: lists with a merge key", () => {
  it("containers merge by name: the same container's fields merge, new ones are added", () => {
    const base = { containers: [{ name: "app", image: "a:1", args: ["x"] }] };
    const patch = { containers: [{ name: "app", image: "a:2" }, { name: "istio-proxy", image: "p" }] };
    assert.deepEqual(strategicMerge(base, patch), { containers: [{ name: "app", image: "a:2", args: ["x"] }, { name: "istio-proxy", image: "p" }] });
  });

  it("env merges by name, ports by containerPort, volumeMounts by mountPath, volumes by name", () => {
    const base = {
      containers: [
        {
          name: "c",
          env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
          ports: [{ containerPort: 80, name: "http" }],
          volumeMounts: [{ mountPath: "/data", name: "d" }],
        },
      ],
      volumes: [{ name: "d", emptyDir: {} }],
    };
    const patch = {
      containers: [
        {
          name: "c",
          env: [{ name: "B", value: "20" }, { name: "C", value: "3" }],
          ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 15090, name: "prom" }],
          volumeMounts: [{ mountPath: "/data", readOnly: true }],
        },
      ],
      volumes: [{ name: "d", emptyDir: { medium: "Memory" } }, { name: "e", configMap: { name: "cm" } }],
    };
    const out = strategicMerge(base, patch);
    const c = out.containers[0];
    assert.deepEqual(c.env, [{ name: "A", value: "1" }, { name: "B", value: "20" }, { name: "C", value: "3" }]);
    assert.deepEqual(c.ports, [{ containerPort: 80, name: "http", protocol: "TCP" }, { containerPort: 15090, name: "prom" }]);
    assert.deepEqual(c.volumeMounts, [{ mountPath: "/data", name: "d", readOnly: true }]);
    assert.deepEqual(out.volumes, [{ name: "d", emptyDir: { medium: "Memory" } }, { name: "e", configMap: { name: "cm" } }]);
  });

  it("$patch: delete removes an item of a keyed list", () => {
    const out = strategicMerge({ volumes: [{ name: "a" }, { name: "b" }, { name: "c" }] }, { volumes: [{ name: "b", $patch: "delete" }] });
    assert.deepEqual(names(out.volumes), ["a", "c"]);
  });

  it("a keyed list that is new to the base is copied, with nulls dropped", () => {
    const out = strategicMerge({}, { volumes: [{ name: "v", emptyDir: null, configMap: { name: "x", optional: null } }] });
    assert.deepEqual(out, { volumes: [{ name: "v", configMap: { name: "x" } }] });
  });

  it("other lists are replaced wholesale (args, command, capabilities, tolerations)", () => {
    const base = { args: ["a", "b"], command: ["sh"], securityContext: { capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } }, tolerations: [{ key: "k" }] };
    const patch = { args: ["c"], command: [], securityContext: { capabilities: { add: ["NET_RAW"] } }, tolerations: [{ key: "z" }] };
    assert.deepEqual(strategicMerge(base, patch), { args: ["c"], command: [], securityContext: { capabilities: { add: ["NET_RAW"], drop: ["ALL"] } }, tolerations: [{ key: "z" }] });
  });

  it("finalizers merge as a set", () => {
    assert.deepEqual(strategicMerge({ finalizers: ["a", "b"] }, { finalizers: ["b", "c"] }).finalizers.sort(), ["a", "b", "c"]);
  });
});

describe("strategicMerge: order of a merged keyed list", () => {
  it("patch items come first in patch order, base-only items follow in base order", () => {
    // Istio's template volumes land ahead of the user's (the goldens show workload-socket ... then the app's volume).
    const out = strategicMerge({ volumes: [{ name: "certs" }, { name: "cache" }] }, { volumes: [{ name: "workload-socket" }, { name: "istio-envoy" }] });
    assert.deepEqual(names(out.volumes), ["workload-socket", "istio-envoy", "certs", "cache"]);
  });

  it("a base-only item stays before a patched item it preceded in the base", () => {
    // base a, b, c; patch b, d: a came before b in the base and stays there; c, only in the base, comes after d.
    const out = strategicMerge({ containers: [{ name: "a" }, { name: "b" }, { name: "c" }] }, { containers: [{ name: "b", image: "x" }, { name: "d" }] });
    assert.deepEqual(names(out.containers), ["a", "b", "d", "c"]);
    assert.equal(out.containers[1].image, "x");
  });

  it("env: a user variable that preceded a template variable in the pod keeps its place; new ones follow the patch", () => {
    const out = strategicMerge({ env: [{ name: "USER", value: "u" }, { name: "PROXY_CONFIG", value: "mine" }] }, { env: [{ name: "PROXY_CONFIG", value: "tpl" }, { name: "POD_NAME" }] });
    assert.deepEqual(names(out.env), ["USER", "PROXY_CONFIG", "POD_NAME"]);
    assert.equal(out.env[1].value, "tpl");
    // ...whereas one that came after all patched items follows them
    const after = strategicMerge({ env: [{ name: "PROXY_CONFIG", value: "mine" }, { name: "USER", value: "u" }] }, { env: [{ name: "PROXY_CONFIG", value: "tpl" }, { name: "POD_NAME" }] });
    assert.deepEqual(names(after.env), ["PROXY_CONFIG", "POD_NAME", "USER"]);
  });
});

describe("helpers", () => {
  it("dropNulls removes null fields at every depth, keeps empty maps and lists", () => {
    assert.deepEqual(dropNulls({ a: null, b: { c: null, d: [{ e: null, f: 1 }] }, g: {}, h: [] }), { b: { d: [{ f: 1 }] }, g: {}, h: [] });
  });

  it("cloneJson is deep", () => {
    const v = { a: [{ b: 1 }] };
    const c = cloneJson(v);
    c.a[0].b = 2;
    assert.equal(v.a[0].b, 1);
  });
});
