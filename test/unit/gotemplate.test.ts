// src/gotemplate: the Go text/template engine. Behaviour against real Go is covered row by row in
// gotemplate-go.test.ts (cases.json); this file covers the API and the JS value model (structs, methods, typed maps,
// missing keys), errors (TemplateError name/line, Go's message format), guards (depth, output size), Istio's
// injection templates (all of them parse with Istio's function names; the sidecar one executes, timed), and
// property tests.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { load, loadAll, dump } from "js-yaml";
import { parse as parseYaml } from "yaml";
import {
  builtinFuncs,
  goMap,
  goPrintf,
  goStruct,
  parseTemplate,
  sprigFuncs,
  TemplateError,
  typedFunc,
  type FuncMap,
} from "../../src/gotemplate/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function render(text: string, data?: unknown, funcs: FuncMap = sprigFuncs, missingKey?: "default" | "zero" | "error"): string {
  return parseTemplate("t", text, funcs, missingKey ? { missingKey } : undefined).execute(data);
}

function renderError(text: string, data?: unknown, funcs: FuncMap = sprigFuncs): TemplateError {
  try {
    render(text, data, funcs);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `not a TemplateError: ${String(e)}`);
    return e;
  }
  assert.fail("expected an error");
}

describe("gotemplate: API", () => {
  it("parses once and executes many times with different data", () => {
    const t = parseTemplate("t", "{{.a}}-{{len .l}}", sprigFuncs);
    assert.equal(t.execute({ a: 1, l: [1, 2] }), "1-2");
    assert.equal(t.execute({ a: "x", l: [] }), "x-0");
    assert.equal(t.name, "t");
  });

  it("lookup returns {{define}}d and {{block}} templates of the set, executing with their own dot", () => {
    const t = parseTemplate("main", `{{define "a"}}A({{.}}){{end}}{{block "b" .}}B{{end}}`);
    assert.equal(t.lookup("a")?.execute(5), "A(5)");
    assert.equal(t.lookup("b")?.execute(null), "B");
    assert.equal(t.lookup("nope"), undefined);
    assert.deepEqual(t.templateNames().sort(), ["a", "b", "main"]);
    assert.equal(t.execute(1), "B");
  });

  it("an empty top-level text with definitions executes to nothing (Go: the definitions only)", () => {
    const t = parseTemplate("main", `{{define "x"}}X{{end}}`);
    assert.equal(t.execute(null), "");
    assert.equal(t.lookup("x")!.execute(null), "X");
  });

  it("user functions override Go's builtins (Go's findFunction order), except and/or keep short-circuiting only as builtins", () => {
    assert.equal(render("{{len 3}}", null, { len: () => "mine" }), "mine");
    // sprig's slice replaces Go's for the injector (sprig is merged over the builtins)
    assert.equal(render("{{slice .l 1}}", { l: [1, 2, 3] }, {}), "[2 3]");
    assert.equal(render(`{{slice "abc" 1 2}}`, null, {}), "b");
    assert.match(renderError(`{{slice "abc" 1 2}}`).message, /list should be type of slice or array but string/);
    let called = false;
    const funcs = { and: (...a: unknown[]) => ((called = true), a[0]) };
    assert.equal(render("{{and 0 1}}", null, funcs), "0");
    assert.equal(called, true);
  });

  it("builtinFuncs are callable directly (and/or evaluate all their arguments there)", () => {
    assert.equal(builtinFuncs.printf!("%d-%s", 1, "a"), "1-a");
    assert.equal(builtinFuncs.and!(1, 0, 2), 0);
    assert.equal(builtinFuncs.or!(0, "", "x"), "x");
    assert.equal(builtinFuncs.index!({ a: [1, 2] }, "a", 1), 2);
    assert.equal(builtinFuncs.eq!(1, 2, 1), true);
  });

  it("rejects a function map entry that is not a function or not an identifier", () => {
    assert.throws(() => parseTemplate("t", "", { x: 3 as unknown as () => unknown }), /not a function/);
    assert.throws(() => parseTemplate("t", "", { "a-b": () => 1 }), /not a valid identifier/);
  });

  it("typedFunc checks argument count and types as Go's reflect call does", () => {
    const f = { rep: typedFunc("rep", ["int", "string"], (n: number, s: string) => s.repeat(n)) };
    assert.equal(render(`{{rep 2 "ab"}}`, null, f), "abab");
    assert.equal(renderError(`{{rep 2}}`, null, f).message, `template: t:1:2: executing "t" at <rep>: wrong number of args for rep: want 2 got 1`);
    assert.equal(renderError(`{{rep "2" "x"}}`, null, f).message, `template: t:1:6: executing "t" at <"2">: expected integer; found "2"`);
    assert.equal(renderError(`{{rep .n "x"}}`, { n: 1.5 }, f).message, `template: t:1:6: executing "t" at <.n>: wrong type for value; expected int; got float64`);
    assert.equal(renderError(`{{"x" | rep 1.5}}`, null, f).message, `template: t:1:12: executing "t" at <1.5>: expected integer; found 1.5`);
  });
});

describe("gotemplate: value model", () => {
  it("plain objects are map[string]interface{}: missing keys print <no value>, nil values too, chains past missing keys stay missing", () => {
    assert.equal(render("{{.a}} {{.b}} {{.c.d.e}}", { a: null }), "<no value> <no value> <no value>");
    assert.equal(render("{{print .a .b}}", { a: null }), "<nil> <nil>");
    assert.match(renderError("{{.a.b}}", { a: null }).message, /nil pointer evaluating interface \{\}\.b$/);
    // undefined counts as absent
    assert.equal(render("{{len .}} {{if .u}}x{{else}}y{{end}}", { u: undefined, v: 1 }), "1 y");
  });

  it("map keys iterate sorted (range, print, toJson), like Go", () => {
    const d = { b: 1, a: 2, C: 3, "10": 4, "9": 5 };
    assert.equal(render("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", d), "10=4;9=5;C=3;a=2;b=1;");
    assert.equal(render("{{.}}", d), "map[10:4 9:5 C:3 a:2 b:1]");
    assert.equal(render("{{toJson .}}", d), `{"10":4,"9":5,"C":3,"a":2,"b":1}`);
  });

  it("goStruct objects are structs: missing fields are nil, fields keep their order, methods take arguments", () => {
    const s = goStruct({
      Name: "n",
      Nested: null,
      Greet(this: { Name: string }, who: string) {
        return `hi ${who} from ${this.Name}`;
      },
      Count: () => 3,
    });
    assert.equal(render("{{.S.Name}}|{{.S.Missing}}|{{.S.Greet `you`}}|{{.S.Count}}", { S: s }), "n|<no value>|hi you from n|3");
    assert.equal(render(`{{"me" | .S.Greet}}`, { S: s }), "hi me from n");
    assert.equal(render("{{if .S}}struct is true{{end}}", { S: goStruct({}) }), "struct is true");
    assert.equal(render("{{.S}} {{printf `%+v` .S}}", { S: goStruct({ A: 1, B: "x" }) }), "{1 x} {A:1 B:x}");
    assert.match(renderError("{{.S.Nested.X}}", { S: s }).message, /at <\.S\.Nested\.X>: nil pointer evaluating interface \{\}\.X$/);
    assert.match(renderError("{{.S.Name 1}}", { S: s }).message, /Name has arguments but cannot be invoked as function/);
    assert.match(renderError("{{range .S}}{{end}}", { S: s }).message, /range can't iterate over/);
  });

  it("a struct with a String method prints through it (fmt.Stringer)", () => {
    const e = goStruct({ String: () => "REDIRECT" });
    assert.equal(render("{{.E}} {{printf `%s|%v|%q` .E .E .E}}", { E: e }), `REDIRECT REDIRECT|REDIRECT|"REDIRECT"`);
  });

  it("class instances marked as structs expose their prototype methods but not Object's", () => {
    class Meta {
      constructor(readonly Name: string) {}
      Upper() {
        return this.Name.toUpperCase();
      }
    }
    const m = goStruct(new Meta("pod"));
    assert.equal(render("{{.M.Upper}}", { M: m }), "POD");
    assert.equal(render("{{.m.toString}}", { m: {} }), "<no value>");
    assert.equal(render("{{.m.constructor}}", { m: {} }), "<no value>");
  });

  it("goMap gives index its typed zero value (map[string]string -> \"\")", () => {
    const ann = goMap({ a: "1" }, "");
    assert.equal(render(`[{{index .A "a"}}][{{index .A "x"}}][{{.A.x}}]`, { A: ann }), "[1][][<no value>]");
    assert.equal(render(`[{{index .A "x"}}]`, { A: { a: "1" } }), "[<no value>]");
    assert.equal(render(`{{if eq (index .A "x") ""}}empty{{end}}`, { A: ann }), "empty");
  });

  it("numbers: whole numbers are ints, others float64 (%v as Go prints float64)", () => {
    assert.equal(render("{{.}}", 1.5), "1.5");
    assert.equal(render("{{.}}", 1e21), "1e+21");
    assert.equal(render("{{.}}", 0.000001), "1e-06");
    assert.equal(render("{{.}}", 100), "100");
    assert.equal(render("{{typeOf .a}} {{typeOf .b}}", { a: 2, b: 2.5 }), "int float64");
    assert.equal(render("{{printf `%d %.1f %5.2f` .a .a .b}}", { a: 2, b: 2.5 }), "2 2.0  2.50");
  });

  it("truth is Go's IsTrue", () => {
    const cases: [unknown, boolean][] = [[0, false], [1, true], [-0.5, true], ["", false], ["0", true], [false, false], [null, false], [[], false], [[0], true], [{}, false], [{ a: null }, true], [goStruct({}), true]];
    for (const [v, want] of cases) assert.equal(render("{{if .v}}T{{else}}F{{end}}", { v }), want ? "T" : "F", JSON.stringify(v));
  });

  it("functions receive nil for missing values; missingkey=error fails at the key", () => {
    assert.equal(render(`{{.nope | default "d"}}`, {}), "d");
    assert.equal(render(`{{.nope | default "d"}}`, {}, sprigFuncs, "zero"), "d");
    assert.equal(renderError2(`{{.nope}}`, {}, "error"), `template: t:1:2: executing "t" at <.nope>: map has no entry for key "nope"`);
  });
});

function renderError2(text: string, data: unknown, missingKey: "default" | "zero" | "error"): string {
  try {
    render(text, data, sprigFuncs, missingKey);
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

describe("gotemplate: errors", () => {
  it("parse errors are TemplateError with the template name and line, Go's text", () => {
    const e = renderError("line1\nline2 {{ if .x }}\nline3\n");
    assert.equal(e.message, "template: t:4: unexpected EOF");
    assert.equal(e.template, "t");
    assert.equal(e.line, 4);
    const e2 = renderError("a\n\n{{ nope 1 }}");
    assert.equal(e2.message, `template: t:3: function "nope" not defined`);
    assert.equal(e2.line, 3);
    const e3 = renderError("a\n{{ | .x }}");
    assert.equal(e3.line, 2);
    assert.equal(e3.message, 'template: t:2: unexpected "|" in command');
    // Go accepts a trailing pipe: the pipeline just ends there
    assert.equal(render("{{ .x | }}", {}), "<no value>");
  });

  it("execution errors carry template:LINE:COL, the executing template and the node, Go's text", () => {
    const text = `{{define "inner"}}\n  {{ index .l 5 }}\n{{end}}\nx\n{{template "inner" .}}`;
    const e = renderError(text, { l: [1] });
    assert.equal(e.message, `template: t:2:5: executing "inner" at <index .l 5>: error calling index: index out of range: 5`);
    assert.equal(e.template, "inner");
    assert.equal(e.line, 2);
  });

  it("a function that throws becomes \"error calling NAME: ...\"; a JS TypeError inside a function too", () => {
    const funcs = {
      boom: () => {
        throw new Error("bad thing");
      },
      oops: () => (null as unknown as { x: () => void }).x(),
    };
    assert.equal(renderError("{{boom}}", null, funcs).message, `template: t:1:2: executing "t" at <boom>: error calling boom: bad thing`);
    assert.match(renderError("{{oops}}", null, funcs).message, /^template: t:1:2: executing "t" at <oops>: error calling oops: Cannot read properties of null/);
  });

  it("fail gives the template's own message", () => {
    assert.match(renderError(`{{ fail "custom message" }}`).message, /error calling fail: custom message$/);
  });

  it("never lets a non-TemplateError escape on hostile input", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("{{", "}}", "-", " ", ".", "$x", ":=", "=", "|", "(", ")", "if", "end", "range", "else", "define", '"a"', "`b`", "'c'", "1", "/*", "*/", "nil", "index", "printf", ",", "x", "\n", "template", "block", "with", "break") }), (text) => {
        try {
          parseTemplate("t", text, sprigFuncs).execute({ x: [1, { a: null }], y: "s" });
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("deep template recursion stops with Go's depth error instead of a JS stack overflow", () => {
    const e = renderError(`{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}`);
    assert.match(e.message, /^template: t:1:25: executing "r" at <\{\{template "r" \.\}\}>: exceeded maximum template depth \(1000\)$/);
  });

  it("deeply nested parentheses fail to parse cleanly", () => {
    const e = renderError("{{" + "(".repeat(20000) + "1" + ")".repeat(20000) + "}}");
    assert.match(e.message, /max expression depth exceeded/);
  });

  it("range iterations are capped (maxRangeIterations), so a huge range cannot spin forever", () => {
    const t = parseTemplate("t", "{{range 1000}}{{end}}ok", {}, { maxRangeIterations: 999 });
    assert.throws(() => t.execute(null), /more than 999 iterations/);
    assert.equal(parseTemplate("t", "{{range 1000}}{{end}}ok", {}, { maxRangeIterations: 1000 }).execute(null), "ok");
  });

  it("map keys named __proto__ stay data (dict, set, merge, deepCopy, pick)", () => {
    const out = render(`{{ $d := dict "__proto__" (dict "polluted" 1) "a" 1 }}{{ $_ := set $d "b" 2 }}{{ toJson $d }}|{{ toJson (deepCopy $d) }}|{{ toJson (pick $d "__proto__") }}|{{ toJson (merge (dict) $d) }}|{{ len $d }}`);
    assert.equal(out, `{"__proto__":{"polluted":1},"a":1,"b":2}|{"__proto__":{"polluted":1},"a":1,"b":2}|{"__proto__":{"polluted":1}}|{"__proto__":{"polluted":1},"a":1,"b":2}|3`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("output is capped (maxOutput)", () => {
    const t = parseTemplate("t", "{{range 100}}0123456789{{end}}", {}, { maxOutput: 500 });
    assert.throws(() => t.execute(null), /output exceeds the limit of 500 characters/);
    assert.equal(parseTemplate("t", "{{range 10}}0123456789{{end}}", {}, { maxOutput: 500 }).execute(null).length, 100);
  });
});

describe("gotemplate: goPrintf (fmt.Sprintf)", () => {
  // rows from Go's fmt/fmt_test.go (more in cases.json, checked against real Go)
  const rows: [string, unknown[], string][] = [
    ["%d", [12345], "12345"],
    ["%-10s|", ["abc"], "abc       |"],
    ["%05d", [-42], "-0042"],
    ["%.2f", [3.14159], "3.14"],
    ["%x", ["hello"], "68656c6c6f"],
    ["%X", [255], "FF"],
    ["%q", ["a\"b"], `"a\\"b"`],
    ["%v", [[1, "a", null]], "[1 a <nil>]"],
    ["%v", [{ b: 2, a: 1 }], "map[a:1 b:2]"],
    ["%t", [true], "true"],
    ["%c|%U", [0x4e16, 0x4e16], "世|U+4E16"],
    ["%e", [1234.5678], "1.234568e+03"],
    ["%g", [0.00001234], "1.234e-05"],
    ["%o %b", [8, 5], "10 101"],
    ["%%", [], "%"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%d", [], "%!d(MISSING)"],
    ["%d", [1, 2], "1%!(EXTRA int=2)"],
    ["%s", [null], "%!s(<nil>)"],
    ["%.0f %.0f %.0f", [0.5, 1.5, 2.5], "0 2 2"],
  ];
  for (const [f, args, want] of rows) it(`${f} ${JSON.stringify(args)}`, () => assert.equal(goPrintf(f, ...args), want));
});

describe("gotemplate: Istio 1.30.3 injection templates", () => {
  // The texts: the istio-sidecar-injector ConfigMap of the istioctl 1.30.3 golden (test data, see that corpus's README).
  const docs = loadAll(readFileSync(path.join(root, "test/conformance/istio-operator/goldens/profile-default.yaml"), "utf8")) as any[];
  const cm = docs.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === "istio-sidecar-injector");
  const templates = (load(cm.data.config) as { templates: Record<string, string> }).templates;
  const values = JSON.parse(cm.data.values) as Record<string, unknown>;

  // Istio's InjectionFuncmap names (pkg/kube/inject/template.go) with stand-in bodies: enough to parse and run.
  const istioStubs: FuncMap = {
    formatDuration: (d: unknown) => String(d),
    isset: (m: Record<string, unknown> | null, k: string) => m !== null && Object.prototype.hasOwnProperty.call(m, k),
    excludeInboundPort: (port: unknown, ports: string) => ports,
    includeInboundPorts: () => "*",
    kubevirtInterfaces: (s: string) => s,
    excludeInterfaces: (s: string) => s,
    applicationPorts: () => "",
    annotation: (meta: any, name: string, def: unknown) => meta?.Annotations?.[name] ?? String(def ?? ""),
    valueOrDefault: (v: unknown, d: unknown) => (v === null || v === "" || v === undefined ? d : v),
    toJSON: (v: unknown) => JSON.stringify(v),
    fromJSON: (s: string) => JSON.parse(s),
    structToJSON: (v: unknown) => JSON.stringify(v ?? {}),
    protoToJSON: (v: unknown) => JSON.stringify(v ?? {}),
    toYaml: (v: unknown) => dump(v ?? {}).trimEnd(),
    indent: sprigFuncs.indent!,
    directory: (p: string) => path.posix.dirname(p),
    contains: (s: string, sub: string) => s.includes(sub),
    toLower: (s: string) => s.toLowerCase(),
    appendMultusNetwork: (a: string, b: string) => (a ? a + "," + b : b),
    env: (_k: string, d: string) => d,
    omit: sprigFuncs.omit!,
    strdict: (...kv: string[]) => Object.fromEntries(kv.flatMap((_, i) => (i % 2 ? [] : [[kv[i], kv[i + 1] ?? ""]]))),
    toJsonMap: (...ms: Record<string, unknown>[]) => Object.assign({}, ...ms.filter(Boolean)),
    mergeMaps: (...ms: Record<string, unknown>[]) => Object.assign({}, ...ms.filter(Boolean)),
    omitNil: (m: unknown) => m,
    otelResourceAttributes: () => "",
  };
  const funcs = { ...sprigFuncs, ...istioStubs };

  it("every template text of the golden ConfigMap parses with sprig + Istio's function names", () => {
    assert.deepEqual(Object.keys(templates).sort(), ["agentgateway", "gateway", "grpc-agent", "grpc-simple", "kube-gateway", "sidecar", "waypoint"]);
    for (const [name, text] of Object.entries(templates)) {
      const t = parseTemplate(name, text, funcs);
      assert.ok(t.templateNames().includes(name), name);
    }
  });

  it("without Istio's functions the sidecar template does not parse, naming the function and line", () => {
    const e = (() => {
      try {
        parseTemplate("sidecar", templates.sidecar!, sprigFuncs);
      } catch (err) {
        return err as TemplateError;
      }
      return undefined;
    })();
    assert.ok(e instanceof TemplateError);
    assert.match(e.message, /^template: sidecar:\d+: function "isset" not defined$/);
    assert.ok(e.line > 1);
  });

  it("the sidecar template executes over realistic data into YAML with the proxy container, well under 1 ms per pod", () => {
    const meta = goStruct({
      Name: "web-7d4f",
      Namespace: "default",
      Annotations: goMap({ "sidecar.istio.io/proxyCPU": "200m", "prometheus.io/scrape": "true" }, ""),
      Labels: goMap({ app: "web", version: "v1" }, ""),
    });
    const container = goStruct({ Name: "web", Image: "nginx", Ports: [goStruct({ ContainerPort: 80, Name: "http", Protocol: "TCP" })] });
    const data = goStruct({
      TypeMeta: goStruct({ Kind: "Pod", APIVersion: "v1" }),
      DeploymentMeta: goStruct({ Name: "web", Namespace: "default" }),
      ObjectMeta: meta,
      Spec: goStruct({ Containers: [container], ServiceAccountName: "default", InitContainers: [] }),
      ProxyConfig: goStruct({
        ProxyMetadata: goMap({}, ""),
        // a nil *wrappers.BoolValue: Go calls the proto getter on the nil pointer
        HoldApplicationUntilProxyStarts: goStruct({ GetValue: () => false }),
        InterceptionMode: goStruct({ String: () => "REDIRECT" }),
        GetTracing: () => null,
        DiscoveryAddress: "istiod.istio-system.svc:15012",
        Concurrency: null,
        ProxyStatsMatcher: null,
      }),
      MeshConfig: goStruct({ TrustDomain: "cluster.local", ProxyListenPort: 15001, ProxyInboundListenPort: 15006, DefaultConfig: null }),
      Values: values,
      Revision: "",
      NativeSidecars: false,
      ProxyImage: "docker.io/istio/proxyv2:1.30.3",
      InboundTrafficPolicyMode: "",
      CompliancePolicy: "",
      ProxyUID: 1337,
      ProxyGID: 1337,
    });
    const t = parseTemplate("sidecar", templates.sidecar!, funcs);
    const out = t.execute(data);
    // Go's YAML reader is lenient with the template's flow-style annotations map; the yaml package reads it too
    const doc = parseYaml(out, { version: "1.1" }) as any;
    const names = (doc.spec.containers as { name: string }[]).map((c) => c.name);
    assert.ok(names.includes("istio-proxy"), names.join(","));
    assert.equal(doc.spec.containers.find((c: any) => c.name === "istio-proxy").resources.requests.cpu, "200m");

    for (let i = 0; i < 200; i++) t.execute(data);
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) t.execute(data);
    const ms = (performance.now() - t0) / n;
    console.log(`# sidecar template (${templates.sidecar!.length} bytes): ${ms.toFixed(3)} ms per execution, ${out.length} bytes out`);
    assert.ok(ms < 5, `${ms} ms per execution`);
  });
});

describe("gotemplate: properties", () => {
  it("text without {{ renders to itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        fc.pre(!s.includes("{{"));
        assert.equal(render(s, {}), s);
      }),
      { numRuns: 500 },
    );
  });

  it("any JSON data through {{ . | toJson }} parses back to itself", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const out = render("{{ . | toJson }}", { v: v }.v);
        const dot = v === null ? null : v;
        assert.deepStrictEqual(JSON.parse(out), dot);
      }),
      { numRuns: 500 },
    );
  });

  it("toPrettyJson agrees with JSON.stringify's 2-space layout for data without HTML characters", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.oneof(fc.integer(), fc.stringMatching(/^[a-z ]{0,6}$/), fc.boolean())), (m) => {
        const sorted = Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
        assert.equal(render("{{ toPrettyJson . }}", m), JSON.stringify(sorted, null, 2));
      }),
      { numRuns: 200 },
    );
  });

  it("quote and printf %q agree and round-trip through JSON for printable strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "\t", "é", "世", "<", "'") }), (s) => {
        const q = render("{{ quote . }}", s);
        assert.equal(q, goPrintf("%q", s));
        assert.equal(JSON.parse(q), s);
      }),
      { numRuns: 300 },
    );
  });
});
