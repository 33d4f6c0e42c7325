// Asking before a command does something that cannot be undone (install over an existing control plane,
// `uninstall --purge`, removing a revision tag), as istioctl's -y/--skip-confirmation. On a terminal the
// question is asked on stderr (stdout stays the command's output); with no terminal to ask and no -y the
// command refuses (exit 2) rather than guess: a script must say -y.
import { Option, type Command } from "commander";
import { EXIT, type CliIO } from "./io.js";

/** Adds -y/--skip-confirmation to a command. */
export function confirmOption(cmd: Command): Command {
  return cmd.addOption(new Option("-y, --skip-confirmation", "do not ask before changing the cluster: assume yes (needed when stdin is not a terminal)").default(false));
}

export interface ConfirmRequest {
  /** What will happen, one or more lines, without the question. */
  message: string;
  /** -y was given. */
  skip: boolean;
}

/**
 * Asks "Proceed? (y/N)". Returns undefined when the command may go on, else the exit code to stop with:
 * 1 when the person answered no (istioctl's "Cancelled."), 2 when nobody can be asked and -y was not given.
 */
export async function confirm(req: ConfirmRequest, io: CliIO): Promise<number | undefined> {
  const message = req.message.replace(/\n*$/, "\n");
  if (req.skip) {
    io.stderr(message);
    return undefined;
  }
  if (!io.isInteractive?.() || !io.ask) {
    io.stderr(`${message}Error: this needs a confirmation and stdin is not a terminal: pass -y/--skip-confirmation to proceed\n`);
    return EXIT.USAGE;
  }
  io.stderr(message);
  for (;;) {
    const answer = await io.ask("Proceed? (y/N) ");
    const a = (answer ?? "").trim().toLowerCase();
    if (a === "y" || a === "yes") return undefined;
    if (answer === null || a === "" || a === "n" || a === "no") {
      io.stderr("Cancelled.\n");
      return EXIT.FINDINGS;
    }
  }
}
