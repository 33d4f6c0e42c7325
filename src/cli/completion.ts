// `pilotfish completion bash|zsh|fish`: shell completion scripts generated from the CLI's own command tree.
//
// The scripts are static: they are written from the commander program (every command module registered, see
// main.ts: `completion` loads them all), so they list exactly the commands, flags and arguments that parse, and a
// TAB never starts node. The completion libraries on npm (tabtab / @pnpm/tabtab, omelette, @bomb.sh/tab) all
// complete dynamically, running the program on every TAB (here: node start plus every command module, a few
// hundred ms), and tabtab also edits the user's shell rc files; none reads commander's tree without adapting the
// parser. The command tree is fixed at build time, so a static script is both faster and simpler.
//
// Values completed: subcommands, flags (with their descriptions in zsh and fish), files for file flags,
// `--set profile=<name>`, profile names for `profile dump` / `profile diff`, -o formats, shells.
import { Argument, type Command, type Option } from "commander";
import { EXIT, type CliIO, type ExitCode } from "./io.js";
import { listProfiles } from "../config/profiles.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

type ValueKind = { kind: "none" } | { kind: "file" } | { kind: "words"; words: string[] } | { kind: "set" };

export interface FlagSpec {
  short?: string;
  long?: string;
  description: string;
  /** Takes a value in the next word (required value); optional values are only given as --flag=value. */
  takesValue: boolean;
  value: ValueKind;
}

export interface CommandSpec {
  /** Words after `pilotfish`: "" for the program, "profile dump" for a subcommand. */
  path: string;
  name: string;
  description: string;
  subcommands: CommandSpec[];
  flags: FlagSpec[];
  /** What each positional argument completes to (the last one repeats when variadic). */
  args: ValueKind[];
}

/** -o formats per command (the commands check them; listed here for completion). */
const OUTPUT_FORMATS: Record<string, string[]> = {
  validate: ["text", "json"],
  "profile dump": ["yaml", "json", "flags"],
  version: ["yaml", "json"],
  analyze: ["log", "json", "yaml"],
  "check-inject": ["table", "json", "yaml"],
};

/** Other flags with a fixed set of values, by "<command path>|<long flag>". */
const FLAG_WORDS: Record<string, string[]> = {
  "analyze|--failure-threshold": ["Info", "Warning", "Error"],
  "analyze|--output-threshold": ["Info", "Warning", "Error"],
  "serve|--config-source": ["cluster", "local"],
  "serve|--failure-policy": ["Fail", "Ignore"],
};

/** Positional arguments that name a profile (or an IstioOperator file). */
const PROFILE_ARGS = new Set(["profile dump", "profile diff"]);

function flagValue(path: string, o: Option): ValueKind {
  if (o.argChoices?.length) return { kind: "words", words: [...o.argChoices] };
  if (o.long === "--set") return { kind: "set" };
  if (o.long === "--output" && OUTPUT_FORMATS[path]) return { kind: "words", words: OUTPUT_FORMATS[path] };
  if (FLAG_WORDS[`${path}|${o.long}`]) return { kind: "words", words: FLAG_WORDS[`${path}|${o.long}`] };
  if (/\[bool\]/.test(o.flags)) return { kind: "words", words: ["true", "false"] };
  if (/[<[](file|path|dir)[>\]]/.test(o.flags)) return { kind: "file" };
  return { kind: "none" };
}

function argValue(path: string, a: Argument, profiles: string[]): ValueKind {
  if (a.argChoices?.length) return { kind: "words", words: [...a.argChoices] };
  if (PROFILE_ARGS.has(path)) return { kind: "words", words: profiles };
  if (/file/.test(a.name())) return { kind: "file" };
  return { kind: "none" };
}

/** The command tree as completion needs it (hidden flags left out; -h/--help added as commander does). */
export function commandSpec(cmd: Command, profiles: string[] = listProfiles(), parentPath = ""): CommandSpec {
  const path = cmd.parent ? (parentPath ? `${parentPath} ${cmd.name()}` : cmd.name()) : "";
  const flags: FlagSpec[] = cmd.options
    .filter((o) => !o.hidden)
    .map((o) => ({ short: o.short, long: o.long, description: o.description, takesValue: o.required, value: flagValue(path, o) }));
  flags.push({ short: "-h", long: "--help", description: "display help for command", takesValue: false, value: { kind: "none" } });
  return {
    path,
    name: cmd.name(),
    description: cmd.description(),
    subcommands: cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => commandSpec(c, profiles, path)),
    flags,
    args: cmd.registeredArguments.map((a) => argValue(path, a, profiles)),
  };
}

function walk(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(walk)];
}

const flagNames = (f: FlagSpec) => [f.short, f.long].filter((x): x is string => !!x);
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** The cluster flags may come before the command (main.ts moves them after it): the scripts skip their values. */
const LEADING_VALUE_FLAGS = ["-c", "--kubeconfig", "--context", "-n", "--namespace", "-i", "--istioNamespace"];

function valueWords(v: ValueKind, profiles: string[]): string[] {
  if (v.kind === "words") return v.words;
  if (v.kind === "set") return profiles.map((p) => `profile=${p}`);
  return [];
}

/** The names of a command's flags that take a value (whose value the scripts skip), once each. */
function valueFlagNames(c: CommandSpec): string[] {
  const names = c.flags.filter((f) => f.takesValue).flatMap(flagNames);
  if (!c.path) names.push(...LEADING_VALUE_FLAGS);
  return [...new Set(names)];
}

/** One shell `case` arm per flag with known values, matching `<command path>|<flag name>`; `action` completes them. */
function flagValueCases(all: CommandSpec[], action: (f: FlagSpec) => string): string[] {
  return all.flatMap((c) =>
    c.flags.filter((x) => x.value.kind !== "none").map((f) => `    ${flagNames(f).map((n) => shq(`${c.path}|${n}`)).join("|")}) ${action(f)} ;;`),
  );
}

// ---------------------------------------------------------------------------------------------------- bash

export function bashScript(root: CommandSpec, profiles: string[]): string {
  const all = walk(root);
  const cases = (fn: (c: CommandSpec) => string | undefined) =>
    all.map((c) => [c, fn(c)] as const).filter(([, v]) => v !== undefined).map(([c, v]) => `    ${shq(c.path)}) ${v} ;;`).join("\n");
  const subs = cases((c) => (c.subcommands.length ? `echo ${shq(c.subcommands.map((s) => s.name).join(" "))}` : undefined));
  const flags = cases((c) => `echo ${shq(c.flags.flatMap(flagNames).join(" "))}`);
  const valueFlags = cases((c) => {
    const names = valueFlagNames(c);
    return names.length ? `echo ${shq(names.join(" "))}` : undefined;
  });
  const valueCases = flagValueCases(all, (f) =>
    f.value.kind === "file" ? `COMPREPLY=($(compgen -f -- "$cur"))` : `COMPREPLY=($(compgen -W ${shq(valueWords(f.value, profiles).join(" "))} -- "$cur"))`,
  );
  const argCases = all
    .filter((c) => c.args.some((a) => a.kind !== "none"))
    .map((c) => {
      if (c.args.some((a) => a.kind === "file")) return `    ${shq(c.path)}) COMPREPLY=($(compgen -f -- "$cur")) ;;`;
      const words = [...new Set(c.args.flatMap((a) => valueWords(a, profiles)))];
      // A profile argument may also be an IstioOperator file: offered once the word looks like a path.
      const files = PROFILE_ARGS.has(c.path) ? ` $([[ "$cur" == */* || "$cur" == *.* ]] && compgen -f -- "$cur")` : "";
      return `    ${shq(c.path)}) COMPREPLY=($(compgen -W ${shq(words.join(" "))} -- "$cur")${files}) ;;`;
    });
  return `# bash completion for pilotfish (generated by \`pilotfish completion bash\`; regenerate after an upgrade).
# Load it in this shell:      source <(pilotfish completion bash)
# Or for every new shell:     pilotfish completion bash > ~/.local/share/bash-completion/completions/pilotfish

__pilotfish_subcommands() {
  case "$1" in
${subs}
  esac
}

__pilotfish_flags() {
  case "$1" in
${flags}
  esac
}

__pilotfish_value_flags() {
  case "$1" in
${valueFlags}
  esac
}

# Completes the value of flag $2 of command $1 into COMPREPLY; returns 1 when the flag has no known values.
__pilotfish_flag_value() {
  local cur="$3"
  case "$1|$2" in
${valueCases.join("\n")}
    *) return 1 ;;
  esac
}

__pilotfish_arg_value() {
  local cur="$2"
  case "$1" in
${argCases.join("\n")}
  esac
}

__pilotfish_has() {
  local w
  for w in $1; do [[ "$w" == "$2" ]] && return 0; done
  return 1
}

_pilotfish() {
  COMPREPLY=()
  # Words from the line itself: COMP_WORDS splits at '=' (--set profile=demo), which would lose the flag.
  local line="\${COMP_LINE:0:COMP_POINT}" words cur prev cmdpath="" skip=0 w i
  read -ra words <<< "$line"
  if [[ "$line" =~ [[:space:]]$ ]]; then cur=""; else cur="\${words[\${#words[@]}-1]}"; unset 'words[\${#words[@]}-1]'; fi
  prev="\${words[\${#words[@]}-1]}"
  for ((i = 1; i < \${#words[@]}; i++)); do
    w="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      --*=*) continue ;;
      -*) __pilotfish_has "$(__pilotfish_value_flags "$cmdpath")" "$w" && skip=1; continue ;;
    esac
    if __pilotfish_has "$(__pilotfish_subcommands "$cmdpath")" "$w"; then cmdpath="\${cmdpath:+$cmdpath }$w"; fi
  done
  local prefix=""
  if ((skip)); then
    __pilotfish_flag_value "$cmdpath" "$prev" "$cur" || COMPREPLY=()
  elif [[ "$cur" == --*=* ]]; then
    __pilotfish_flag_value "$cmdpath" "\${cur%%=*}" "\${cur#*=}" || COMPREPLY=()
    [[ "$COMP_WORDBREAKS" == *=* ]] || prefix="\${cur%%=*}="
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(__pilotfish_flags "$cmdpath")" -- "$cur"))
  else
    local subs; subs="$(__pilotfish_subcommands "$cmdpath")"
    if [[ -n "$subs" ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); else __pilotfish_arg_value "$cmdpath" "$cur"; fi
  fi
  # bash replaces only the part of the word after its last '=' (COMP_WORDBREAKS): trim what it keeps.
  if [[ "$cur" == *=* && "$COMP_WORDBREAKS" == *=* && ! "$cur" == --*=* ]]; then
    local keep="\${cur%=*}=" k
    for k in "\${!COMPREPLY[@]}"; do COMPREPLY[k]="\${COMPREPLY[k]#"$keep"}"; done
  elif [[ -n "$prefix" ]]; then
    local k
    for k in "\${!COMPREPLY[@]}"; do COMPREPLY[k]="$prefix\${COMPREPLY[k]}"; done
  fi
}

complete -o default -F _pilotfish pilotfish
`;
}

// ---------------------------------------------------------------------------------------------------- zsh


export function zshScript(root: CommandSpec, profiles: string[]): string {
  const all = walk(root);
  const described = (items: [string, string][]) => items.map(([n, d]) => shq(`${n.replace(/:/g, "\\:")}:${d.split("\n")[0]}`)).join(" ");
  const subs = all
    .filter((c) => c.subcommands.length)
    .map((c) => `    ${shq(c.path)}) items=(${described(c.subcommands.map((s) => [s.name, s.description]))}) ;;`);
  const flags = all.map((c) => `    ${shq(c.path)}) items=(${described(c.flags.flatMap((f) => flagNames(f).map((n): [string, string] => [n, f.description])))}) ;;`);
  const valueFlags = all.map((c) => `    ${shq(c.path)}) echo ${shq(valueFlagNames(c).join(" "))} ;;`);
  const valueCases = flagValueCases(all, (f) => (f.value.kind === "file" ? "_files" : `compadd -- ${valueWords(f.value, profiles).map(shq).join(" ")}`));
  const argCases = all
    .filter((c) => c.args.some((a) => a.kind !== "none"))
    .map((c) => {
      if (c.args.some((a) => a.kind === "file")) return `    ${shq(c.path)}) _files ;;`;
      const words = [...new Set(c.args.flatMap((a) => valueWords(a, profiles)))];
      return `    ${shq(c.path)}) compadd -- ${words.map(shq).join(" ")}${PROFILE_ARGS.has(c.path) ? "; _files" : ""} ;;`;
    });
  return `#compdef pilotfish
# zsh completion for pilotfish (generated by \`pilotfish completion zsh\`; regenerate after an upgrade).
# Load it in this shell:      source <(pilotfish completion zsh)
# Or for every new shell:     pilotfish completion zsh > "\${fpath[1]}/_pilotfish"   (then start a new shell)

__pilotfish_value_flags() {
  case "$1" in
${valueFlags.join("\n")}
  esac
}

__pilotfish_subcommands() {
  local -a items
  case "$1" in
${subs.join("\n")}
  esac
  (( $#items )) && _describe -t commands 'pilotfish command' items
}

__pilotfish_flags() {
  local -a items
  case "$1" in
${flags.join("\n")}
  esac
  (( $#items )) && _describe -t options 'option' items
}

__pilotfish_flag_value() {
  case "$1|$2" in
${valueCases.join("\n")}
    *) _message 'value' ;;
  esac
}

__pilotfish_arg_value() {
  case "$1" in
${argCases.join("\n")}
  esac
}

_pilotfish() {
  local cmdpath="" skip=0 w i
  local -a vflags
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$w" in
      --*=*) continue ;;
      -*) vflags=(\${=\$(__pilotfish_value_flags "$cmdpath")}); (( \${vflags[(Ie)$w]} )) && skip=1; continue ;;
    esac
    local -a items=()
    case "$cmdpath" in
${all.filter((c) => c.subcommands.length).map((c) => `      ${shq(c.path)}) items=(${c.subcommands.map((s) => shq(s.name)).join(" ")}) ;;`).join("\n")}
    esac
    (( \${items[(Ie)$w]} )) && cmdpath="\${cmdpath:+$cmdpath }$w"
  done
  local cur="\${words[CURRENT]}"
  if (( skip )); then
    __pilotfish_flag_value "$cmdpath" "\${words[CURRENT-1]}"
  elif [[ "$cur" == --*=* ]]; then
    compset -P '*='
    __pilotfish_flag_value "$cmdpath" "\${cur%%=*}"
  elif [[ "$cur" == -* ]]; then
    __pilotfish_flags "$cmdpath"
  else
    __pilotfish_subcommands "$cmdpath" || __pilotfish_arg_value "$cmdpath"
  fi
}

if [[ "\${funcstack[1]}" == _pilotfish ]]; then
  _pilotfish "$@"
else
  compdef _pilotfish pilotfish
fi
`;
}

// ---------------------------------------------------------------------------------------------------- fish

const fq = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

export function fishScript(root: CommandSpec, profiles: string[]): string {
  const all = walk(root);
  const lines: string[] = [];
  const subsCase = all.filter((c) => c.subcommands.length).map((c) => `        case ${fq(c.path)}\n            printf '%s\\n' ${c.subcommands.map((s) => fq(s.name)).join(" ")}`);
  const vflagsCase = all.map((c) => `        case ${fq(c.path)}\n            printf '%s\\n' ${valueFlagNames(c).map(fq).join(" ") || "''"}`);
  for (const c of all) {
    const at = `-n ${fq(`__pilotfish_at ${fq(c.path)}`)}`;
    for (const s of c.subcommands) lines.push(`complete -c pilotfish -f ${at} -a ${fq(s.name)} -d ${fq(s.description.split("\n")[0])}`);
    for (const f of c.flags) {
      const names = [f.short ? `-s ${f.short.slice(1)}` : "", f.long ? `-l ${f.long.slice(2)}` : ""].filter(Boolean).join(" ");
      let value = "";
      if (f.takesValue || f.value.kind !== "none") {
        if (f.value.kind === "file") value = " -r -F";
        else if (f.value.kind === "none") value = " -x";
        else value = ` -x -a ${fq(valueWords(f.value, profiles).join(" "))}`;
      }
      lines.push(`complete -c pilotfish ${at} ${names}${value} -d ${fq(f.description.split("\n")[0])}`);
    }
    const words = [...new Set(c.args.flatMap((a) => valueWords(a, profiles)))];
    if (words.length) lines.push(`complete -c pilotfish -f ${at} -a ${fq(words.join(" "))}`);
    if (PROFILE_ARGS.has(c.path) || c.args.some((a) => a.kind === "file")) lines.push(`complete -c pilotfish -F ${at}`);
  }
  return `# fish completion for pilotfish (generated by \`pilotfish completion fish\`; regenerate after an upgrade).
# Load it in this shell:      pilotfish completion fish | source
# Or for every new shell:     pilotfish completion fish > ~/.config/fish/completions/pilotfish.fish

function __pilotfish_subcommands
    switch $argv[1]
${subsCase.join("\n")}
    end
end

function __pilotfish_value_flags
    switch $argv[1]
${vflagsCase.join("\n")}
    end
end

# The command words typed so far ("profile dump"), skipping flags and their values.
function __pilotfish_path
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l cmdpath ''
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '--*=*'
                continue
            case '-*'
                if contains -- $t (__pilotfish_value_flags "$cmdpath")
                    set skip 1
                end
                continue
        end
        if contains -- $t (__pilotfish_subcommands "$cmdpath")
            set cmdpath (string trim -- "$cmdpath $t")
        end
    end
    echo $cmdpath
end

function __pilotfish_at
    set -l p (__pilotfish_path)
    test "$p" = "$argv[1]"
end

complete -c pilotfish -e
complete -c pilotfish -f
${lines.join("\n")}
`;
}

export function completionScript(shell: Shell, program: Command, profiles: string[] = listProfiles()): string {
  const root = commandSpec(program, profiles);
  if (shell === "bash") return bashScript(root, profiles);
  if (shell === "zsh") return zshScript(root, profiles);
  return fishScript(root, profiles);
}

export function registerCompletion(program: Command, io: CliIO, exit: ExitCode): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
    .addHelpText(
      "after",
      `
Examples:
  source <(pilotfish completion bash)                                      # this bash
  pilotfish completion bash > ~/.local/share/bash-completion/completions/pilotfish
  pilotfish completion zsh > "\${fpath[1]}/_pilotfish"                       # zsh (new shells)
  pilotfish completion fish > ~/.config/fish/completions/pilotfish.fish`,
    )
    .action((shell: Shell, _opts: unknown, cmd: Command) => {
      io.stdout(completionScript(shell, cmd.parent ?? program));
      exit.code = EXIT.OK;
    });
}
