// `pilotfish tag set|generate|list|remove`: Istio's revision tags (istioctl tag, 1.30.3), with the tag's webhook
// pointing at the pilotfish injector that serves the revision (src/webhook/tags.ts builds the objects).
import type { Command } from "commander";
import { Option } from "commander";
import { dump } from "js-yaml";
import { stringify } from "yaml";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { clusterOptions, connectCluster, reportClusterError, usableClusterFlags, type ClusterFlags, type ClusterFlagUse } from "./cluster.js";
import { confirm, confirmOption } from "./confirm.js";
import type { Kube } from "../kube/client.js";
import type { JsonObject } from "../config/values.js";
import {
  DEFAULT_TAG,
  REV_LABEL,
  checkTagName,
  deactivateDefaultRevision,
  formatTagJson,
  formatTagTable,
  generateTag,
  removeTagConfirmation,
  tagCreatedMessage,
  tagRows,
  tagServices,
  tagWebhooks,
  type ClusterState,
  type ServiceLike,
  type TagRequest,
  type WebhookConfig,
  webhookOverlaps,
} from "../webhook/tags.js";

const ADMISSION = "admissionregistration.k8s.io/v1";
const FIELD_MANAGER = "pilotfish-tag";
const TAG_USE: ClusterFlagUse = {
  namespace: { unused: "tags are cluster-wide; the tag's Service goes to the Istio namespace (-i)" },
  istioNamespace: "Istio system namespace: where the tag's Service lives and revisions' Services are looked up",
};

interface SetOpts {
  revision: string;
  overwrite: boolean;
  webhookName?: string;
  autoInjectNamespaces: boolean;
  skipConfirmation?: boolean;
}

export function registerTag(program: Command, io: CliIO, exit: ExitCode): void {
  const tag = program
    .command("tag")
    .description("create, list and remove revision tags (as istioctl tag): `istio.io/rev=<tag>` injects as the tag's revision, through pilotfish");
  const setFlags = (c: Command) =>
    c
      .requiredOption("-r, --revision <rev>", "control plane revision the tag points at (pilotfish's injector for it must be registered)")
      .option("--overwrite", "allow re-pointing an existing tag (else an existing tag is an error)", false)
      .option("--webhook-name <name>", "name of the tag's MutatingWebhookConfiguration (default istio-revision-tag-<tag>)")
      .option("--auto-inject-namespaces", "with the tag default: also inject namespaces that have no injection label at all", false);
  const run = (fn: (name: string | undefined, opts: never, cluster: ClusterFlags) => Promise<number>, command: string) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const cluster = usableClusterFlags(cmd, `tag ${command}`, TAG_USE, io);
    if (!cluster) {
      exit.code = EXIT.USAGE;
      return;
    }
    const name = typeof args[0] === "string" ? args[0] : undefined;
    if (name !== undefined) {
      const bad = checkTagName(name);
      if (bad) {
        io.stderr(`Error: ${bad}\n`);
        exit.code = EXIT.USAGE;
        return;
      }
    }
    exit.code = await fn(name, cmd.opts() as never, cluster);
  };

  clusterOptions(
    confirmOption(setFlags(tag.command("set").argument("<tag>", "the revision tag").description("create or re-point a revision tag: namespaces labelled istio.io/rev=<tag> are injected as the revision"))),
    TAG_USE,
  ).action(run((name, opts: SetOpts, cluster) => runSet(name!, opts, cluster, io, false), "set"));

  clusterOptions(
    setFlags(tag.command("generate").argument("<tag>", "the revision tag").description("print the tag's objects instead of applying them (the cluster is read for the revision's webhook)")),
    TAG_USE,
  ).action(run((name, opts: SetOpts, cluster) => runSet(name!, opts, cluster, io, true), "generate"));

  clusterOptions(
    tag
      .command("list")
      .alias("show")
      .description("list revision tags: TAG, REVISION, NAMESPACES (labelled istio.io/rev=<tag>)")
      .addOption(new Option("-o, --output <format>", "table, json or yaml").choices(["table", "json", "yaml"]).default("table")),
    TAG_USE,
  ).action(run((_n, opts: { output: string }, cluster) => runList(opts.output, cluster, io), "list"));

  clusterOptions(
    confirmOption(
      tag
        .command("remove")
        .alias("delete")
        .argument("<tag>", "the revision tag")
        .description("remove a revision tag (asks first when namespaces still use it: their new pods would get no sidecar)"),
    ),
    TAG_USE,
  ).action(run((name, opts: { skipConfirmation: boolean }, cluster) => runRemove(name!, opts.skipConfirmation, cluster, io), "remove"));
}

async function readState(kube: Kube, istioNamespace: string): Promise<ClusterState> {
  const webhooks = (await kube.listWithVersion(ADMISSION, "MutatingWebhookConfiguration", { labelSelector: REV_LABEL })).items as WebhookConfig[];
  const services = (await kube.listWithVersion("v1", "Service", { namespace: istioNamespace, labelSelector: REV_LABEL })).items as ServiceLike[];
  return { webhooks, services };
}

/** Namespaces by the value of their istio.io/rev label. */
async function namespacesByRev(kube: Kube): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const ns of await kube.list("v1", "Namespace", REV_LABEL)) {
    const m = ns.metadata as { name: string; labels?: Record<string, string> };
    const rev = m.labels?.[REV_LABEL] ?? "";
    out.set(rev, [...(out.get(rev) ?? []), m.name]);
  }
  return out;
}

const yamlDocs = (objs: unknown[]) => objs.map((o) => dump(o, { sortKeys: true, lineWidth: -1, noRefs: true })).join("---\n");

async function runSet(tag: string, opts: SetOpts, cluster: ClusterFlags, io: CliIO, generate: boolean): Promise<number> {
  const req: TagRequest = {
    tag,
    revision: opts.revision,
    istioNamespace: cluster.istioNamespace,
    generate,
    overwrite: opts.overwrite,
    webhookName: opts.webhookName,
    autoInjectNamespaces: opts.autoInjectNamespaces,
  };
  try {
    const { kube } = await connectCluster(cluster, FIELD_MANAGER);
    const state = await readState(kube, cluster.istioNamespace);
    const g = generateTag(state, req);
    if ("error" in g) {
      io.stderr(`Error: ${g.error}\n`);
      return EXIT.FINDINGS;
    }
    // istioctl's webhook analysis: a pod must reach one injector at most (the default revision's webhooks as
    // `tag set default` leaves them, deactivated).
    const deactivated = tag === DEFAULT_TAG ? deactivateDefaultRevision(state) : [];
    const after = state.webhooks.map((w) => deactivated.find((d) => d.metadata?.name === w.metadata?.name) ?? w);
    const overlaps = webhookOverlaps(after, g.objects[0] as WebhookConfig);
    if (generate) {
      if (overlaps.length) io.stderr(`Warning: creating tag would conflict:\n${overlaps.join("\n")}\n`);
      io.stdout(yamlDocs(g.objects));
      return EXIT.OK;
    }
    if (overlaps.length) {
      const stop = await confirm({ message: `creating tag would conflict:\n${overlaps.join("\n")}`, skip: !!opts.skipConfirmation }, io);
      if (stop !== undefined) return stop;
    }
    // Re-pointing a tag that namespaces use changes what their next pods get: ask (istioctl asks on conflicts).
    const previous = tagWebhooks(state.webhooks, tag).map((w) => w.metadata?.labels?.[REV_LABEL]).find((r) => r && r !== opts.revision);
    if (previous) {
      const users = (await namespacesByRev(kube)).get(tag) ?? [];
      if (users.length) {
        const stop = await confirm(
          { message: `Revision tag ${JSON.stringify(tag)} points at revision ${JSON.stringify(previous)} and ${users.length} namespace(s) use it: ${users.join(" ")}\nNew pods there will be injected by revision ${JSON.stringify(opts.revision)}.`, skip: !!opts.skipConfirmation },
          io,
        );
        if (stop !== undefined) return stop;
      }
    }
    if (tag === DEFAULT_TAG) {
      for (const w of deactivated) {
        await kube.replace(ADMISSION, "MutatingWebhookConfiguration", undefined, w.metadata!.name!, w as unknown as JsonObject);
        io.stderr(`MutatingWebhookConfiguration ${w.metadata!.name} (revision default) deactivated: the tag "default" now owns istio-injection=enabled\n`);
      }
      // Istio's default tag also repoints istiod-default-validator; pilotfish validates every revision with its own validator.
      const validator = await kube.get(ADMISSION, "ValidatingWebhookConfiguration", undefined, "istiod-default-validator");
      if (validator) {
        const rev = (validator.metadata as { labels?: Record<string, string> }).labels?.[REV_LABEL] ?? "?";
        io.stderr(`Note: ValidatingWebhookConfiguration istiod-default-validator (istiod's, revision ${rev}) is left as it is: pilotfish's own validator checks Istio resources of every revision\n`);
      }
    }
    // Stale tag webhooks under another name (--webhook-name changed) would keep selecting the tag: drop them.
    const name = (g.objects[0].metadata as { name: string }).name;
    for (const w of tagWebhooks(state.webhooks, tag)) {
      if (w.metadata?.name && w.metadata.name !== name) await kube.delete(ADMISSION, "MutatingWebhookConfiguration", undefined, w.metadata.name);
    }
    for (const o of g.objects) await kube.apply(o as JsonObject & { apiVersion: string; kind: string; metadata: JsonObject });
    io.stdout(tagCreatedMessage(tag, opts.revision));
    return EXIT.OK;
  } catch (e) {
    return reportClusterError(e, io);
  }
}

async function runList(output: string, cluster: ClusterFlags, io: CliIO): Promise<number> {
  try {
    const { kube } = await connectCluster(cluster, FIELD_MANAGER);
    const state = await readState(kube, cluster.istioNamespace);
    const byRev = await namespacesByRev(kube);
    const rows = tagRows(state, (tag) => byRev.get(tag) ?? []);
    if (!rows.length) io.stdout("No Istio revision tags found.\n");
    else if (output === "json") io.stdout(formatTagJson(rows));
    else if (output === "yaml") io.stdout(stringify(rows.map((r) => ({ namespaces: r.namespaces, revision: r.revision, tag: r.tag })), { indentSeq: false, lineWidth: 0 }) + "\n");
    else io.stdout(formatTagTable(rows));
    return EXIT.OK;
  } catch (e) {
    return reportClusterError(e, io);
  }
}

async function runRemove(tag: string, skip: boolean, cluster: ClusterFlags, io: CliIO): Promise<number> {
  try {
    const { kube } = await connectCluster(cluster, FIELD_MANAGER);
    const state = await readState(kube, cluster.istioNamespace);
    const webhooks = tagWebhooks(state.webhooks, tag);
    const services = tagServices(state.services, tag);
    if (!webhooks.length && !services.length) {
      io.stderr(`Error: cannot remove tag ${JSON.stringify(tag)}: cannot find MutatingWebhookConfiguration or Service for tag\n`);
      return EXIT.FINDINGS;
    }
    const users = (await namespacesByRev(kube)).get(tag) ?? [];
    if (users.length) {
      const stop = await confirm({ message: `${removeTagConfirmation(tag, users)}\nTheir new pods will get no sidecar from this tag.`, skip }, io);
      if (stop !== undefined) return stop;
    }
    for (const w of webhooks) await kube.delete(ADMISSION, "MutatingWebhookConfiguration", undefined, w.metadata!.name!);
    for (const s of services) await kube.delete("v1", "Service", cluster.istioNamespace, s.metadata!.name!);
    io.stdout(`Revision tag ${tag} removed\n`);
    return EXIT.OK;
  } catch (e) {
    return reportClusterError(e, io);
  }
}
