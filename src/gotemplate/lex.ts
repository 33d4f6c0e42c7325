// Lexer for Go text/template syntax (our own port of the behaviour of Go's text/template/parse lexer).
// Produces the whole token list up front; the parser walks it with an index.

export const enum T {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // keywords
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

export interface Token {
  typ: T;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: Record<string, T> = {
  ".": T.Dot,
  block: T.Block,
  break: T.Break,
  continue: T.Continue,
  define: T.Define,
  else: T.Else,
  end: T.End,
  if: T.If,
  range: T.Range,
  nil: T.Nil,
  template: T.Template,
  with: T.With,
};

const LD = "{{";
const RD = "}}";

export function tokenString(t: Token): string {
  if (t.typ === T.EOF) return "EOF";
  if (t.typ === T.Error) return t.val;
  if (t.typ > T.Keyword) return `<${t.val}>`;
  if (t.val.length > 10) return goQuote(t.val.slice(0, 10)) + "...";
  return goQuote(t.val);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

const alnumRe = /^[\p{L}\p{Nd}_]$/u;
function isAlphaNumeric(c: string): boolean {
  if (c === "") return false;
  const code = c.charCodeAt(0);
  if (code < 128) {
    return c === "_" || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  }
  return alnumRe.test(c);
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && s[i] === "-" && isSpace(s[i + 1]!);
}
function hasRightTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && isSpace(s[i]!) && s[i + 1] === "-";
}

export function lex(input: string, opts: { breakOK: boolean; continueOK: boolean }): Token[] {
  const items: Token[] = [];
  let start = 0;
  let pos = 0;
  let parenDepth = 0;
  const n = input.length;
  const nls: number[] = [];
  for (let i = input.indexOf("\n"); i >= 0; i = input.indexOf("\n", i + 1)) nls.push(i);
  const lineOf = (p: number): number => {
    let lo = 0;
    let hi = nls.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nls[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };

  const emit = (typ: T): void => {
    items.push({ typ, pos: start, val: input.slice(start, pos), line: lineOf(start) });
    start = pos;
  };
  const ignore = (): void => {
    start = pos;
  };
  const errorf = (msg: string): void => {
    items.push({ typ: T.Error, pos: start, val: msg, line: lineOf(start) });
  };
  const next = (): string => {
    if (pos >= n) {
      pos++;
      return "";
    }
    // Surrogate pairs count as one rune.
    const c = input.codePointAt(pos)!;
    const s = String.fromCodePoint(c);
    pos += s.length;
    return s;
  };
  const backup = (s: string): void => {
    pos -= s === "" ? 1 : s.length;
  };
  const peek = (): string => {
    if (pos >= n) return "";
    return String.fromCodePoint(input.codePointAt(pos)!);
  };
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RD, pos + 2)) return [true, true];
    if (input.startsWith(RD, pos)) return [true, false];
    return [false, false];
  };
  const atTerminator = (): boolean => {
    const r = peek();
    if (isSpace(r)) return true;
    switch (r) {
      case "":
      case ".":
      case ",":
      case "|":
      case ":":
      case ")":
      case "(":
        return true;
    }
    return input.startsWith(RD, pos);
  };
  const accept = (valid: string): boolean => {
    const c = peek();
    if (c !== "" && valid.includes(c)) {
      next();
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid)) {
      /* absorb */
    }
  };
  const scanNumber = (): boolean => {
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peek())) {
      next();
      return false;
    }
    return true;
  };

  // state machine, as loops
  let insideAction = false;
  for (;;) {
    if (!insideAction) {
      // lexText
      const x = input.indexOf(LD, pos);
      if (x >= 0) {
        if (x > pos) {
          pos = x;
          let trimLength = 0;
          const delimEnd = pos + LD.length;
          if (hasLeftTrimMarker(input, delimEnd)) {
            let j = pos;
            while (j > start && isSpace(input[j - 1]!)) j--;
            trimLength = pos - j;
          }
          pos -= trimLength;
          const tok: Token = { typ: T.Text, pos: start, val: input.slice(start, pos), line: lineOf(start) };
          pos += trimLength;
          ignore();
          if (tok.val.length > 0) items.push(tok);
        }
        // lexLeftDelim
        pos += LD.length;
        const trimSpace = hasLeftTrimMarker(input, pos);
        const afterMarker = trimSpace ? 2 : 0;
        if (input.startsWith("/*", pos + afterMarker)) {
          pos += afterMarker;
          ignore();
          // lexComment
          pos += 2;
          const e = input.indexOf("*/", pos);
          if (e < 0) {
            errorf("unclosed comment");
            return items;
          }
          pos = e + 2;
          const [delim, trim] = atRightDelim();
          if (!delim) {
            errorf("comment ends before closing delimiter");
            return items;
          }
          if (trim) pos += 2;
          pos += RD.length;
          if (trim) while (pos < n && isSpace(input[pos]!)) pos++;
          ignore();
          continue;
        }
        items.push({ typ: T.LeftDelim, pos: start, val: input.slice(start, pos), line: lineOf(start) });
        insideAction = true;
        pos += afterMarker;
        ignore();
        parenDepth = 0;
        continue;
      }
      pos = n;
      if (pos > start) {
        items.push({ typ: T.Text, pos: start, val: input.slice(start, pos), line: lineOf(start) });
        start = pos;
      }
      items.push({ typ: T.EOF, pos, val: "", line: lineOf(pos) });
      return items;
    }
    // lexInsideAction
    const [delim] = atRightDelim();
    if (delim) {
      if (parenDepth === 0) {
        // lexRightDelim
        const [, trim] = atRightDelim();
        if (trim) {
          pos += 2;
          ignore();
        }
        pos += RD.length;
        emit(T.RightDelim);
        if (trim) {
          while (pos < n && isSpace(input[pos]!)) pos++;
          ignore();
        }
        insideAction = false;
        continue;
      }
      errorf("unclosed left paren");
      return items;
    }
    const r = next();
    if (r === "") {
      errorf("unclosed action");
      return items;
    }
    if (isSpace(r)) {
      backup(r);
      // lexSpace
      let numSpaces = 0;
      while (isSpace(peek())) {
        next();
        numSpaces++;
      }
      if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RD, pos - 1 + 2)) {
        backup(input[pos - 1]!);
        if (numSpaces === 1) {
          // on the delimiter: handled at loop top
          continue;
        }
      }
      emit(T.Space);
      continue;
    }
    switch (r) {
      case "=":
        emit(T.Assign);
        continue;
      case ":":
        if (next() !== "=") {
          errorf("expected :=");
          return items;
        }
        emit(T.Declare);
        continue;
      case "|":
        emit(T.Pipe);
        continue;
      case '"': {
        let ok = true;
        loop: for (;;) {
          const c = next();
          switch (c) {
            case "\\": {
              const c2 = next();
              if (c2 !== "" && c2 !== "\n") break;
              ok = false;
              break loop;
            }
            case "":
            case "\n":
              ok = false;
              break loop;
            case '"':
              break loop;
          }
        }
        if (!ok) {
          errorf("unterminated quoted string");
          return items;
        }
        emit(T.String);
        continue;
      }
      case "`": {
        const e = input.indexOf("`", pos);
        if (e < 0) {
          errorf("unterminated raw quoted string");
          return items;
        }
        pos = e + 1;
        emit(T.RawString);
        continue;
      }
      case "$": {
        if (atTerminator()) {
          emit(T.Variable);
          continue;
        }
        if (!lexFieldOrVariable(T.Variable)) return items;
        continue;
      }
      case "'": {
        let ok = true;
        loop2: for (;;) {
          const c = next();
          switch (c) {
            case "\\": {
              const c2 = next();
              if (c2 !== "" && c2 !== "\n") break;
              ok = false;
              break loop2;
            }
            case "":
            case "\n":
              ok = false;
              break loop2;
            case "'":
              break loop2;
          }
        }
        if (!ok) {
          errorf("unterminated character constant");
          return items;
        }
        emit(T.CharConstant);
        continue;
      }
      case "(":
        parenDepth++;
        emit(T.LeftParen);
        continue;
      case ")":
        parenDepth--;
        if (parenDepth < 0) {
          errorf("unexpected right paren");
          return items;
        }
        emit(T.RightParen);
        continue;
    }
    if (r === ".") {
      if (pos < n) {
        const c = input[pos]!;
        if (c < "0" || c > "9") {
          if (!lexFieldOrVariable(T.Field)) return items;
          continue;
        }
      }
    }
    if (r === "." || r === "+" || r === "-" || (r >= "0" && r <= "9")) {
      backup(r);
      if (!scanNumber()) {
        errorf(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
        return items;
      }
      const sign = peek();
      if (sign === "+" || sign === "-") {
        if (!scanNumber() || input[pos - 1] !== "i") {
          errorf(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
          return items;
        }
        emit(T.Complex);
        continue;
      }
      emit(T.Number);
      continue;
    }
    if (isAlphaNumeric(r)) {
      backup(r);
      // lexIdentifier
      let c: string;
      for (;;) {
        c = next();
        if (!isAlphaNumeric(c)) {
          backup(c);
          break;
        }
      }
      const word = input.slice(start, pos);
      if (!atTerminator()) {
        errorf(`bad character ${fmtU(c)}`);
        return items;
      }
      const kw = KEYWORDS[word];
      if (kw !== undefined && Object.prototype.hasOwnProperty.call(KEYWORDS, word)) {
        if ((kw === T.Break && !opts.breakOK) || (kw === T.Continue && !opts.continueOK)) emit(T.Identifier);
        else emit(kw);
      } else if (word === "true" || word === "false") emit(T.Bool);
      else emit(T.Identifier);
      continue;
    }
    const code = r.codePointAt(0)!;
    if (code <= 0x7f && code >= 0x20 && code !== 0x7f) {
      emit(T.Char);
      continue;
    }
    errorf(`unrecognized character in action: ${fmtU(r)}`);
    return items;
  }

  function lexFieldOrVariable(typ: T): boolean {
    if (atTerminator()) {
      emit(typ === T.Variable ? T.Variable : T.Dot);
      return true;
    }
    let c: string;
    for (;;) {
      c = next();
      if (!isAlphaNumeric(c)) {
        backup(c);
        break;
      }
    }
    if (!atTerminator()) {
      errorf(`bad character ${fmtU(c)}`);
      return false;
    }
    emit(typ);
    return true;
  }
}


/** Go's %#U of a rune: U+0041 'A'. */
export function fmtU(r: string): string {
  if (r === "") return "U+FFFFFFFFFFFFFFFF";
  const cp = r.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  return `U+${hex} '${r}'`;
}
