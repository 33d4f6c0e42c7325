// The CLI's IO: streams and the exit code holder every command is given (tests pass their own).
import fs from "node:fs";
import { createInterface } from "node:readline";

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  /** Whether a person can answer a question on stdin (a TTY). Absent: no (tests, pipes). */
  isInteractive?: () => boolean;
  /** Writes `question` (to stderr) and reads one answer line from stdin; null at end of input. */
  ask?: (question: string) => Promise<string | null>;
}

export const processIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  isInteractive: () => process.stdin.isTTY === true,
  ask: (question) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
      let answered = false;
      rl.once("line", (line) => {
        answered = true;
        rl.close();
        resolve(line);
      });
      rl.once("close", () => {
        if (!answered) resolve(null);
      });
      process.stderr.write(question);
    }),
};

/** A file's text; an Error "cannot read FILE: CODE" when it cannot be read. */
export function readFileText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** An input file's text, `-` being stdin; an Error "cannot read FILE: CODE" when it cannot be read. */
export async function readInput(file: string, io: CliIO): Promise<string> {
  if (file !== "-") return readFileText(file);
  try {
    return await io.readStdin();
  } catch (e) {
    throw new Error(`cannot read -: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** How an input file is named in messages: its path, or <stdin> for `-`. */
export const inputName = (file: string): string => (file === "-" ? "<stdin>" : file);

/** Holder the subcommands write their exit code into (commander's action handlers return void). */
export interface ExitCode {
  code: number;
}

/**
 * pilotfish's exit codes, the same for every command (README "Exit codes"):
 * 0 done / nothing found; 1 the command ran and found problems or failed (invalid resources, profiles that differ,
 * components that did not install, a declined prompt); 2 the command line or its input is wrong (unknown flag,
 * unreadable file, broken YAML, unknown profile, invalid IstioOperator, a prompt that cannot be asked);
 * 3 no cluster configured, or the cluster cannot be reached.
 */
export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2, CLUSTER: 3 } as const;
