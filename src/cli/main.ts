// The pilotfish command line. Each subcommand lives in its own module and registers itself here;
// subcommands return their exit code instead of calling process.exit, so tests can call main() directly.
import { Command, CommanderError } from "commander";
import { registerKubeInject } from "./kube-inject.js";
import { registerValidate } from "./validate.js";
import { registerManifest } from "./manifest.js";
import { registerServe } from "./serve.js";
import { registerProfile } from "./profile.js";
import { registerInstall } from "./install.js";
import { registerOperator } from "./operator.js";

import { processIO, type CliIO, type ExitCode } from "./io.js";

export type { CliIO, ExitCode } from "./io.js";

export function buildProgram(io: CliIO, exit: ExitCode): Command {
  const program = new Command("pilotfish")
    .description("Istio-compatible sidecar injector, validator and IstioOperator controller")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);
  registerKubeInject(program, io, exit);
  registerValidate(program, io, exit);
  registerManifest(program, io, exit);
  registerProfile(program, io, exit);
  registerInstall(program, io, exit);
  registerOperator(program, io, exit);
  registerServe(program, io, exit);
  return program;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const exit: ExitCode = { code: 0 };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return 0;
      return 2;
    }
    io.stderr(`Error: ${(e as Error).message}\n`);
    return exit.code || 1;
  }
  return exit.code;
}
