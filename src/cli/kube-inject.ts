import type { Command } from "commander";
import type { CliIO, ExitCode } from "./main.js";

// Placeholder: replaced by the module that implements `pilotfish kube-inject`.
export function registerKubeInject(_program: Command, _io: CliIO, _exit: ExitCode): void {}
