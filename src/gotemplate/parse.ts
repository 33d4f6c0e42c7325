// Parser for Go text/template: tokens -> parse trees, one tree per template name (the behaviour of Go's
// text/template/parse, written anew). Parse errors are ParseFailure with Go's message text.

import { lex, T, tokenString, type Token } from "./lex.js";

export type Node =
  | ListNode
  | TextNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | PipeNode
  | CommandNode
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode;

export interface ListNode { k: "list"; pos: number; nodes: Node[] }
export interface TextNode { k: "text"; pos: number; text: string }
export interface ActionNode { k: "action"; pos: number; line: number; pipe: PipeNode }
export interface BranchNode { pos: number; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null }
export interface IfNode extends BranchNode { k: "if" }
export interface RangeNode extends BranchNode { k: "range" }
export interface WithNode extends BranchNode { k: "with" }
export interface TemplateNode { k: "template"; pos: number; line: number; name: string; pipe: PipeNode | null }
export interface BreakNode { k: "break"; pos: number; line: number }
export interface ContinueNode { k: "continue"; pos: number; line: number }
export interface PipeNode { k: "pipe"; pos: number; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode { k: "command"; pos: number; args: Node[] }
export interface FieldNode { k: "field"; pos: number; ident: string[] }
export interface VariableNode { k: "variable"; pos: number; ident: string[] }
export interface ChainNode { k: "chain"; pos: number; node: Node; field: string[] }
export interface IdentifierNode { k: "identifier"; pos: number; ident: string }
export interface DotNode { k: "dot"; pos: number }
export interface NilNode { k: "nil"; pos: number }
export interface BoolNode { k: "bool"; pos: number; val: boolean }
export interface NumberNode { k: "number"; pos: number; text: string; value: number; isInt: boolean }
export interface StringNode { k: "string"; pos: number; quoted: string; text: string }
export interface EndNode { k: "end"; pos: number }
export interface ElseNode { k: "else"; pos: number; line: number }

/** A parsed template body: its name, the text it was parsed from (for error positions), and its root. */
export interface Tree {
  name: string;
  parseName: string;
  text: string;
  root: ListNode;
}

export class ParseFailure extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const MAX_STACK_DEPTH = 10000;

export function nodeString(n: Node | null): string {
  if (n === null) return "";
  switch (n.k) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return JSON.stringify(n.text);
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with": {
      let s = `{{${n.k} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return s + "{{end}}";
    }
    case "template":
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + (n.isAssign ? " = " : " := ");
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) => (a.k === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "field":
      return "." + n.ident.join(".");
    case "variable":
      return n.ident.join(".");
    case "chain": {
      const base = n.node.k === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.field.map((f) => "." + f).join("");
    }
    case "identifier":
      return n.ident;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return n.val ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
  }
}

function isEmptyTree(n: Node): boolean {
  switch (n.k) {
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "";
    default:
      return false;
  }
}

interface ParseState {
  tokens: Token[];
  i: number;
  name: string;
  parseName: string;
  text: string;
  vars: string[];
  hasFunc: (name: string) => boolean;
  treeSet: Map<string, Tree>;
  rangeDepth: number;
  stackDepth: number;
  actionLine: number;
}

/** Parses text into the tree set; the top-level body is stored under `name`. */
export function parseInto(name: string, text: string, hasFunc: (n: string) => boolean, treeSet: Map<string, Tree>): void {
  const tokens = lex(text, { breakOK: !hasFunc("break"), continueOK: !hasFunc("continue") });
  const st: ParseState = {
    tokens,
    i: 0,
    name,
    parseName: name,
    text,
    vars: ["$"],
    hasFunc,
    treeSet,
    rangeDepth: 0,
    stackDepth: 0,
    actionLine: 0,
  };
  const p = new Parser(st);
  p.parseTop();
}

class Parser {
  constructor(private st: ParseState) {}

  private get tok(): Token {
    return this.st.tokens[this.st.i] ?? this.st.tokens[this.st.tokens.length - 1]!;
  }

  private next(): Token {
    const t = this.tok;
    if (this.st.i < this.st.tokens.length) this.st.i++;
    // Go reports parse errors at the line of the furthest token read so far (its lookahead keeps it)
    if (this.st.i > this.furthest) {
      this.furthest = this.st.i;
      this.lastLine = t.line;
    }
    return t;
  }
  private furthest = 0;
  private lastLine = 1;
  private backup(): void {
    this.st.i--;
  }
  private peek(): Token {
    return this.tok;
  }
  private nextNonSpace(): Token {
    let t: Token;
    for (;;) {
      t = this.next();
      if (t.typ !== T.Space) break;
    }
    return t;
  }
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private errorf(msg: string, line?: number): never {
    const ln = line ?? this.lastLine;
    throw new ParseFailure(`template: ${this.st.parseName}:${ln}: ${msg}`, ln);
  }

  private unexpected(token: Token, context: string): never {
    if (token.typ === T.Error) {
      let extra = "";
      if (this.st.actionLine !== 0 && this.st.actionLine !== token.line) {
        extra = ` in action started at ${this.st.parseName}:${this.st.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${tokenString(token)}${extra}`, token.line);
    }
    this.errorf(`unexpected ${tokenString(token)} in ${context}`, token.line);
  }

  private expect(typ: T, context: string): Token {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  private add(name: string, root: ListNode): void {
    const tree = this.st.treeSet.get(name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.st.treeSet.set(name, { name, parseName: this.st.parseName, text: this.st.text, root });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
  }

  parseTop(): void {
    const root: ListNode = { k: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const save = this.st.i;
        this.next();
        if (this.nextNonSpace().typ === T.Define) {
          this.parseDefinition();
          continue;
        }
        this.st.i = save;
      }
      const n = this.textOrAction();
      if (n.k === "end" || n.k === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.add(this.st.name, root);
  }

  private parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    if (nameTok.typ !== T.String && nameTok.typ !== T.RawString) this.unexpected(nameTok, context);
    const name = this.unquote(nameTok);
    this.expect(T.RightDelim, context);
    const savedVars = this.st.vars;
    const savedRange = this.st.rangeDepth;
    this.st.vars = ["$"];
    this.st.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.k !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, list);
    this.st.vars = savedVars;
    this.st.rangeDepth = savedRange;
  }

  private itemList(): [ListNode, Node] {
    const list: ListNode = { k: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.k === "end" || n.k === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text:
        return { k: "text", pos: token.pos, text: token.val };
      case T.LeftDelim: {
        this.st.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.st.actionLine = 0;
        }
      }
      default:
        this.unexpected(token, "input");
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block:
        return this.blockControl();
      case T.Break:
      case T.Continue: {
        const word = token.typ === T.Break ? "break" : "continue";
        const t2 = this.nextNonSpace();
        if (t2.typ !== T.RightDelim) this.unexpected(t2, `{{${word}}}`);
        if (this.st.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
        return { k: word, pos: token.pos, line: token.line };
      }
      case T.Else:
        return this.elseControl();
      case T.End:
        return { k: "end", pos: this.expect(T.RightDelim, "end").pos };
      case T.If:
        return { k: "if", ...this.parseControl("if") };
      case T.Range:
        return { k: "range", ...this.parseControl("range") };
      case T.Template:
        return this.templateControl();
      case T.With:
        return { k: "with", ...this.parseControl("with") };
    }
    this.backup();
    const t = this.peek();
    return { k: "action", pos: t.pos, line: t.line, pipe: this.pipeline("command", T.RightDelim) };
  }

  private pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { k: "pipe", pos: token.pos, line: token.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      const vi = this.st.i;
      if (v.typ === T.Variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const nxt = this.peekNonSpace();
        if (nxt.typ === T.Assign || nxt.typ === T.Declare) {
          pipe.isAssign = nxt.typ === T.Assign;
          this.nextNonSpace();
          pipe.decl.push({ k: "variable", pos: v.pos, ident: v.val.split(".") });
          this.st.vars.push(v.val);
        } else if (nxt.typ === T.Char && nxt.val === ",") {
          this.nextNonSpace();
          pipe.decl.push({ k: "variable", pos: v.pos, ident: v.val.split(".") });
          this.st.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const pk = this.peekNonSpace().typ;
            if (pk === T.Variable || pk === T.RightDelim || pk === T.RightParen) continue decls;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else {
          // not a declaration: re-read the variable as an operand
          void tokenAfterVariable;
          this.st.i = vi;
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.typ) {
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const k = pipe.cmds[i]!.args[0]!.k;
      if (k === "bool" || k === "dot" || k === "nil" || k === "number" || k === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private parseControl(context: string): BranchNode {
    const nvars = this.st.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === "range") this.st.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.st.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.k === "else") {
        if (context === "if" && this.peek().typ === T.If) {
          this.next();
          elseList = { k: "list", pos: next.pos, nodes: [{ k: "if", ...this.parseControl("if") }] };
        } else if (context === "with" && this.peek().typ === T.With) {
          this.next();
          elseList = { k: "list", pos: next.pos, nodes: [{ k: "with", ...this.parseControl("with") }] };
        } else {
          [elseList, next] = this.itemList();
          if (next.k !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.st.vars.length = nvars;
    }
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) {
      // the "else if"/"else with" form; peekNonSpace left us on the keyword.
      return { k: "else", pos: peek.pos, line: peek.line };
    }
    const token = this.expect(T.RightDelim, "else");
    return { k: "else", pos: token.pos, line: token.line };
  }

  private blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const savedVars = this.st.vars;
    const savedRange = this.st.rangeDepth;
    this.st.vars = ["$"];
    this.st.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.k !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, list);
    this.st.vars = savedVars;
    this.st.rangeDepth = savedRange;
    return { k: "template", pos: token.pos, line: token.line, name, pipe };
  }

  private templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { k: "template", pos: token.pos, line: token.line, name, pipe };
  }

  private parseTemplateName(token: Token, context: string): string {
    if (token.typ === T.String || token.typ === T.RawString) return this.unquote(token);
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { k: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === T.Space) continue;
      if (token.typ === T.RightDelim || token.typ === T.RightParen) this.backup();
      else if (token.typ === T.Pipe) {
        /* end of command */
      } else this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === T.Field) {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === T.Field) fields.push(this.next().val.slice(1));
      switch (node.k) {
        case "field":
          node = { k: "field", pos, ident: [...node.ident, ...fields] };
          break;
        case "variable":
          node = { k: "variable", pos, ident: [...node.ident, ...fields] };
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
        // falls through (unreachable)
        default:
          node = { k: "chain", pos, node, field: fields };
      }
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Identifier:
        if (!this.st.hasFunc(token.val)) this.errorf(`function ${JSON.stringify(token.val)} not defined`);
        return { k: "identifier", pos: token.pos, ident: token.val };
      case T.Dot:
        return { k: "dot", pos: token.pos };
      case T.Nil:
        return { k: "nil", pos: token.pos };
      case T.Variable: {
        const ident = token.val.split(".");
        if (!this.st.vars.includes(ident[0]!)) this.errorf(`undefined variable ${JSON.stringify(ident[0])}`);
        return { k: "variable", pos: token.pos, ident };
      }
      case T.Field:
        return { k: "field", pos: token.pos, ident: token.val.slice(1).split(".") };
      case T.Bool:
        return { k: "bool", pos: token.pos, val: token.val === "true" };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.number(token);
      case T.LeftParen: {
        if (this.st.stackDepth >= MAX_STACK_DEPTH) this.errorf("max expression depth exceeded");
        this.st.stackDepth++;
        try {
          return this.pipeline("parenthesized pipeline", T.RightParen);
        } finally {
          this.st.stackDepth--;
        }
      }
      case T.String:
      case T.RawString:
        return { k: "string", pos: token.pos, quoted: token.val, text: this.unquote(token) };
    }
    this.backup();
    return null;
  }

  private number(token: Token): NumberNode {
    const text = token.val;
    if (token.typ === T.CharConstant) {
      const r = unquoteChar(text);
      if (r === null) this.errorf(`malformed character constant: ${text}`);
      return { k: "number", pos: token.pos, text, value: r, isInt: true };
    }
    if (token.typ === T.Complex || text.endsWith("i")) this.errorf(`complex numbers are not supported: ${text}`);
    const v = parseGoNumber(text);
    if (v === null) this.errorf(`illegal number syntax: ${JSON.stringify(text)}`);
    return { k: "number", pos: token.pos, text, value: v.value, isInt: v.isInt };
  }

  private unquote(token: Token): string {
    if (token.typ === T.RawString) return token.val.slice(1, -1).replace(/\r/g, "");
    const s = unquoteString(token.val);
    if (s === null) this.errorf("invalid syntax", token.line);
    return s;
  }
}

/** Go's strconv.Unquote for a double-quoted string; null when malformed. */
export function unquoteString(q: string): string | null {
  if (q.length < 2 || q[0] !== '"' || q[q.length - 1] !== '"') return null;
  const body = q.slice(1, -1);
  if (!body.includes("\\")) return body.includes('"') ? null : body;
  let out = "";
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString("utf8");
      bytes = [];
    }
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === '"') return null;
    if (c !== "\\") {
      flush();
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case "a": flush(); out += "\x07"; break;
      case "b": flush(); out += "\b"; break;
      case "f": flush(); out += "\f"; break;
      case "n": flush(); out += "\n"; break;
      case "r": flush(); out += "\r"; break;
      case "t": flush(); out += "\t"; break;
      case "v": flush(); out += "\v"; break;
      case "\\": flush(); out += "\\"; break;
      case '"': flush(); out += '"'; break;
      case "x": {
        const h = body.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
        bytes.push(parseInt(h, 16));
        i += 2;
        break;
      }
      case "u":
      case "U": {
        const len = e === "u" ? 4 : 8;
        const h = body.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) return null;
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return null;
        flush();
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      default: {
        if (e !== undefined && e >= "0" && e <= "7") {
          const o = body.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(o)) return null;
          const v = parseInt(o, 8);
          if (v > 255) return null;
          bytes.push(v);
          i += 2;
          break;
        }
        return null;
      }
    }
  }
  flush();
  return out;
}

function unquoteChar(q: string): number | null {
  if (q.length < 3 || q[0] !== "'" || q[q.length - 1] !== "'") return null;
  const body = q.slice(1, -1);
  if (body[0] !== "\\") {
    const cp = body.codePointAt(0)!;
    if (String.fromCodePoint(cp).length !== body.length) return null;
    return cp;
  }
  if (body === "\\'") return 39;
  const s = unquoteString(`"${body}"`);
  if (s === null || body === '\\"') return null;
  const cp = s.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp).length !== s.length) {
    // \xNN / octal give one byte
    const m = /^\\(x[0-9a-fA-F]{2}|[0-7]{3})$/.exec(body);
    if (m) return m[1]![0] === "x" ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 8);
    return null;
  }
  return cp;
}

/** Parses a Go number literal (int in any base, or float); null when not a valid literal. */
export function parseGoNumber(text: string): { value: number; isInt: boolean } | null {
  let s = text;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return null;
  // underscores: only between digits (or after a base prefix)
  if (s.includes("_")) {
    if (!/^(0[xXoObB]_?)?[0-9a-fA-F.pPeE+-]+(_[0-9a-fA-F.pPeE+-]+)*$/.test(s) || /_[._]|[._]_|_$/.test(s.replace(/^0[xXoObB]_/, "0x"))) return null;
    s = s.replace(/_/g, "");
  }
  let v: number;
  let isInt = true;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(s)) v = parseInt(s.slice(2), 8);
  else if (/^0[bB][01]+$/.test(s)) v = parseInt(s.slice(2), 2);
  else if (/^0[0-7]+$/.test(s)) v = parseInt(s.slice(1), 8);
  else if (/^(0|[1-9][0-9]*)$/.test(s)) v = parseInt(s, 10);
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) {
    v = parseFloat(s);
    isInt = false;
    // Go: a float constant with an integral value is still usable as an int
    if (Number.isInteger(v) && !/[.eE]/.test(s)) isInt = true;
  } else if (/^0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+$/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/.exec(s)!;
    const mant = parseInt((m[1] || "0") + (m[2] || ""), 16) / Math.pow(16, (m[2] || "").length);
    v = mant * Math.pow(2, parseInt(m[3]!, 10));
    isInt = false;
  } else return null;
  if (!Number.isFinite(v)) return null;
  return { value: neg ? -v : v, isInt };
}
