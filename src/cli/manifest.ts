import type { Command } from "commander";
import type { CliIO, ExitCode } from "./main.js";

// Placeholder: replaced by the module that implements `pilotfish manifest`.
export function registerManifest(_program: Command, _io: CliIO, _exit: ExitCode): void {}
