// Makes this folder's goldens with the real istioctl 1.30.3 against the local control plane (test/kind/cluster.ts):
// `istioctl tag generate|set|list|remove` needs a cluster holding the revision's canonical webhook.
//   ISTIOCTL=path/to/istioctl-1.30.3 npx tsx test/conformance/istioctl-tags/gen.ts
// The cluster gets istiod's MutatingWebhookConfigurations and Services for the default revision and for `canary`,
// as `istioctl manifest generate` renders them (a caBundle is added so the copy can be seen), then each case runs
// and its stdout, stderr and exit code are written to goldens/<case>.{out,err,code}.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import { startCluster } from "../../kind/cluster.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const IC = process.env.ISTIOCTL;
if (!IC) {
  console.error("set ISTIOCTL to an istioctl 1.30.3 binary");
  process.exit(2);
}
const out = path.join(here, "goldens");
fs.mkdirSync(out, { recursive: true });

function generate(set: string[]): any[] {
  const text = execFileSync(IC!, ["manifest", "generate", "--set", "hub=registry.istio.io/testing", "--set", "tag=latest", ...set.flatMap((s) => ["--set", s])], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"] });
  return yaml.loadAll(text.slice(text.indexOf("apiVersion:"))).filter(Boolean) as any[];
}

const cluster = await startCluster({ log: (l) => console.error(l) });
try {
  const kctl = async (args: string[], stdin?: string) => {
    const r = await cluster.kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await kctl(["create", "namespace", "istio-system"]);
  const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nZmFrZQ==\n-----END CERTIFICATE-----\n").toString("base64");
  const canonical: any[] = [];
  for (const set of [[], ["revision=canary"]]) {
    for (const o of generate(set)) {
      if (o.kind === "MutatingWebhookConfiguration") {
        for (const w of o.webhooks) w.clientConfig.caBundle = CA;
        canonical.push(o);
      }
      if (o.kind === "Service" && /^istiod/.test(o.metadata.name)) canonical.push(o);
    }
  }
  fs.writeFileSync(path.join(out, "cluster-objects.yaml"), canonical.map((o) => yaml.dump(o, { lineWidth: -1 })).join("---\n"));
  await kctl(["create", "-f", "-"], canonical.map((o) => JSON.stringify(o)).join("\n"));
  await kctl(["create", "namespace", "app"]);

  const run = (name: string, args: string[], stdin = "") => {
    const r = spawnSync(IC!, ["--kubeconfig", cluster.kubeconfigPath, ...args], { encoding: "utf8", input: stdin, timeout: 60_000 });
    fs.writeFileSync(path.join(out, `${name}.out`), r.stdout);
    fs.writeFileSync(path.join(out, `${name}.err`), r.stderr);
    fs.writeFileSync(path.join(out, `${name}.code`), `${r.status}\n`);
    fs.appendFileSync(path.join(out, "commands.txt"), `${name}: istioctl ${args.join(" ")}${stdin ? ` <<< ${JSON.stringify(stdin)}` : ""}\n`);
    console.error(`${name}: exit ${r.status}`);
  };
  fs.writeFileSync(path.join(out, "commands.txt"), "");
  run("generate-prod-canary", ["tag", "generate", "prod", "--revision", "canary"]);
  run("generate-prod-default", ["tag", "generate", "prod", "--revision", "default"]);
  run("generate-default-canary", ["tag", "generate", "default", "--revision", "canary"]);
  run("generate-default-canary-auto", ["tag", "generate", "default", "--revision", "canary", "--auto-inject-namespaces"]);
  run("generate-prod-canary-webhook-name", ["tag", "generate", "prod", "--revision", "canary", "--webhook-name", "custom-prod"]);
  run("generate-unknown-revision", ["tag", "generate", "prod", "--revision", "nope"]);
  run("list-empty", ["tag", "list"]);
  run("set-prod-canary", ["tag", "set", "prod", "--revision", "canary", "-y"]);
  run("generate-prod-exists", ["tag", "generate", "prod", "--revision", "default"]);
  run("set-prod-exists", ["tag", "set", "prod", "--revision", "default", "-y"]);
  run("generate-prod-overwrite", ["tag", "generate", "prod", "--revision", "default", "--overwrite"]);
  run("set-collides-with-revision", ["tag", "set", "canary", "--revision", "default", "-y"]);
  await kctl(["label", "namespace", "app", "istio.io/rev=prod"]);
  run("list", ["tag", "list"]);
  run("list-json", ["tag", "list", "-o", "json"]);
  run("remove-used-no", ["tag", "remove", "prod"], "n\n");
  run("remove-used-eof", ["tag", "remove", "prod"]);
  run("remove-used-y", ["tag", "remove", "prod", "-y"]);
  run("remove-absent", ["tag", "remove", "prod", "-y"]);
  run("set-default-canary", ["tag", "set", "default", "--revision", "canary", "-y"]);
  fs.writeFileSync(path.join(out, "after-set-default.yaml"), await kctl(["get", "mutatingwebhookconfigurations,validatingwebhookconfigurations", "-o", "yaml"]));
  run("list-default", ["tag", "list"]);
  await kctl(["patch", "validatingwebhookconfiguration", "istiod-default-validator", "--type=json", "-p", '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Fail"}]']);
  run("generate-default-validator-fail", ["tag", "generate", "default", "--revision", "canary", "--overwrite"]);
} finally {
  await cluster.stop();
}
