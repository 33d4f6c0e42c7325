// The pilotfish command line. Each subcommand lives in its own module with a `register*` function; this file
// only knows the commands' names and one-line descriptions (for `pilotfish --help`) and imports the module of
// the command being run, so `validate` or `kube-inject` never load the Kubernetes client or express.
// Subcommands return their exit code instead of calling process.exit, so tests can call main() directly.
// Exit codes (io.ts EXIT, README "Exit codes"): 0 ok, 1 findings or a failed operation, 2 usage or input error
// (every commander parse error: unknown flag or command, missing argument), 3 no cluster / cluster unreachable.
import { Command, CommanderError, Help } from "commander";
import { EXIT, processIO, type CliIO, type ExitCode } from "./io.js";
import { CLUSTER_FLAGS } from "./cluster.js";

export type { CliIO, ExitCode } from "./io.js";

/** What a command module exports: adds its command (and subcommands) to the program. */
export type RegisterCommand = (program: Command, io: CliIO, exit: ExitCode) => void;

export interface CommandInfo {
  name: string;
  /** The command's line in `pilotfish --help` (what commander prints for the real command, e.g. "validate [options]"). */
  term: string;
  description: string;
}

/** A command module: the commands its register function adds, in the order it adds them, and how to load it. */
export interface CommandModule {
  commands: readonly CommandInfo[];
  load: () => Promise<RegisterCommand>;
  /** The command describes the whole CLI (completion): every module is loaded and registered when it runs. */
  needsEveryCommand?: boolean;
}

// Kept in step with the modules by test/unit/cli-loading.test.ts (names, terms, descriptions and order).
export const COMMANDS: readonly CommandModule[] = [
  {
    commands: [
      {
        name: "kube-inject",
        term: "kube-inject [options]",
        description: "inject the Istio sidecar into Kubernetes workload manifests (offline, as istioctl kube-inject)",
      },
    ],
    load: async () => (await import("./kube-inject.js")).registerKubeInject,
  },
  {
    commands: [
      {
        name: "validate",
        term: "validate [options]",
        description: "validate Istio resources (VirtualService, DestinationRule, Gateway, ...) from files, directories or stdin",
      },
    ],
    load: async () => (await import("./validate.js")).registerValidate,
  },
  {
    commands: [{ name: "analyze", term: "analyze [options] [files...]", description: "analyze Istio configuration across resources (files, directories, stdin and/or the live cluster), as istioctl analyze" }],
    load: async () => (await import("./analyze.js")).registerAnalyze,
  },
  {
    commands: [{ name: "manifest", term: "manifest", description: "render Istio installation manifests from an IstioOperator" }],
    load: async () => (await import("./manifest.js")).registerManifest,
  },
  {
    commands: [{ name: "profile", term: "profile", description: "list, show and compare installation profiles" }],
    load: async () => (await import("./profile.js")).registerProfile,
  },
  {
    commands: [
      {
        name: "install",
        term: "install [options]",
        description: "install Istio from a profile / IstioOperator straight into the cluster (as istioctl install)",
      },
      { name: "uninstall", term: "uninstall [options]", description: "remove what `pilotfish install` (or the operator) installed" },
    ],
    load: async () => (await import("./install.js")).registerInstall,
  },
  {
    commands: [{ name: "tag", term: "tag", description: "create, list and remove revision tags (as istioctl tag): `istio.io/rev=<tag>` injects as the tag's revision, through pilotfish" }],
    load: async () => (await import("./tag.js")).registerTag,
  },
  {
    commands: [
      {
        name: "operator",
        term: "operator [options]",
        description: "run the IstioOperator controller (reconciles install.istio.io/v1alpha1 IstioOperator resources)",
      },
    ],
    load: async () => (await import("./operator.js")).registerOperator,
  },
  {
    commands: [
      {
        name: "serve",
        term: "serve [options]",
        description: "run the HTTPS admission webhook: /inject (sidecar injection), /validate, /healthz, /readyz, /metrics",
      },
    ],
    load: async () => (await import("./serve.js")).registerServe,
  },
  {
    commands: [
      {
        name: "version",
        term: "version [options]",
        description: "print the client version and the pilotfish and istiod versions running in the cluster",
      },
    ],
    load: async () => (await import("./version.js")).registerVersion,
  },
  {
    commands: [
      {
        name: "diff",
        term: "diff [options]",
        description: "show what `pilotfish install` would create, change (field by field) and prune in the cluster, without writing",
      },
    ],
    load: async () => (await import("./diff.js")).registerDiff,
  },
  {
    commands: [
      {
        name: "check-inject",
        term: "check-inject [options] [resource]",
        description: "explain whether a pod, workload or namespace is (or will be) injected: by which webhook and revision, why, and where each setting comes from",
      },
    ],
    load: async () => (await import("./check-inject.js")).registerCheckInject,
  },
  {
    commands: [{ name: "completion", term: "completion <shell>", description: "print a shell completion script (bash, zsh or fish)" }],
    load: async () => (await import("./completion.js")).registerCompletion,
    needsEveryCommand: true,
  },
];

const LEADING_FLAGS = new Set(CLUSTER_FLAGS.flatMap((f) => (f.short ? [f.long, f.short] : [f.long])));

/**
 * istioctl takes its global flags before the command too (`istioctl -i foo version`); commander reads a
 * command's options after it. Cluster flags written before the command word move to the end (before `--`).
 */
export function hoistClusterFlags(argv: string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    if (!LEADING_FLAGS.has(eq > 0 ? a.slice(0, eq) : a)) break;
    if (eq > 0) {
      lead.push(a);
      i += 1;
    } else {
      if (i + 1 >= argv.length) return argv;
      lead.push(a, argv[i + 1]);
      i += 2;
    }
  }
  if (!lead.length) return argv;
  const rest = argv.slice(i);
  const dd = rest.indexOf("--");
  return dd < 0 ? [...rest, ...lead] : [...rest.slice(0, dd), ...lead, ...rest.slice(dd)];
}

/** The command argv names (the first word that is not an option; `help <cmd>` names <cmd>). */
export function invokedCommand(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => !a.startsWith("-"));
  if (i < 0) return undefined;
  if (argv[i] === "help") return argv.slice(i + 1).find((a) => !a.startsWith("-"));
  return argv[i];
}

/**
 * The program with every command: the ones in `loaded` fully registered, the others as placeholders that only
 * carry their name and description (enough for `pilotfish --help` and for suggesting a misspelt command).
 */
export function buildProgram(
  io: CliIO,
  exit: ExitCode,
  loaded: ReadonlyMap<CommandModule, RegisterCommand>,
  modules: readonly CommandModule[] = COMMANDS,
): Command {
  const placeholders = new Map<Command, string>();
  const program = new Command("pilotfish")
    .description("Istio-compatible sidecar injector, validator and IstioOperator controller")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .configureHelp({
      subcommandTerm(this: Help, cmd: Command) {
        return placeholders.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .showHelpAfterError(false)
    .addHelpText("after", "\nExit codes: 0 ok, 1 findings (invalid resources, profiles differ, failed install), 2 usage or input error, 3 no cluster or cluster unreachable.\nShell completion: pilotfish completion bash|zsh|fish.");
  for (const m of modules) {
    const register = loaded.get(m);
    if (register) {
      register(program, io, exit);
      continue;
    }
    for (const c of m.commands) {
      const stub = program
        .command(c.name)
        .description(c.description)
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          throw new Error(`command ${c.name} was not loaded`);
        });
      placeholders.set(stub, c.term);
    }
  }
  return program;
}

export async function main(rawArgv: string[], io: CliIO = processIO, modules: readonly CommandModule[] = COMMANDS): Promise<number> {
  const exit: ExitCode = { code: 0 };
  const argv = hoistClusterFlags(rawArgv);
  const name = invokedCommand(argv);
  const module = modules.find((m) => m.commands.some((c) => c.name === name));
  const loaded = new Map<CommandModule, RegisterCommand>();
  for (const m of module?.needsEveryCommand ? modules : module ? [module] : []) {
    try {
      loaded.set(m, await m.load());
    } catch (e) {
      // A command whose module does not load is broken, not absent: say why and fail.
      const err = e as Error;
      io.stderr(`Error: cannot load the ${m === module ? name : m.commands[0].name} command: ${err?.stack ?? String(e)}\n`);
      return 1;
    }
  }
  const program = buildProgram(io, exit, loaded, modules);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return EXIT.OK;
      return EXIT.USAGE;
    }
    io.stderr(`Error: ${(e as Error).message}\n`);
    return exit.code || 1;
  }
  return exit.code;
}
