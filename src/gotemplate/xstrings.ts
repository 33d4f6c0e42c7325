// Case conversions with the behaviour of huandu/xstrings v1.5 (sprig's snakecase, kebabcase, camelcase, swapcase),
// written anew over code points.

const isUpper = (c: string): boolean => /\p{Lu}/u.test(c);
const isLower = (c: string): boolean => /\p{Ll}/u.test(c);
const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isNumber = (c: string): boolean => /\p{N}/u.test(c);
const isPunct = (c: string): boolean => /\p{P}/u.test(c);
const isSpace = (c: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(c);
const isConnector = (c: string): boolean => c === "-" || c === "_" || isSpace(c);
const toUpper = (c: string): string => {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
};
const toLower = (c: string): string => {
  const l = c.toLowerCase();
  return [...l].length === 1 ? l : c;
};

function isAlphabet(c: string): boolean {
  if (!isLetter(c)) return false;
  const r = c.codePointAt(0)!;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

const enum W {
  Invalid,
  Number,
  UpperCase,
  Alphabet,
  Connector,
  Punct,
  Other,
}

/** xstrings nextWord over code points: the word type, the word and the rest. */
function nextWord(s: string[], from: number): [W, number] {
  // returns [type, end index]
  const n = s.length;
  if (from >= n) return [W.Invalid, from];
  let i = from;
  const r = s[i]!;
  i++;
  if (isConnector(r)) {
    while (i < n && isConnector(s[i]!)) i++;
    return [W.Connector, i];
  }
  if (isPunct(r)) {
    while (i < n && isPunct(s[i]!)) i++;
    return [W.Punct, i];
  }
  if (isUpper(r)) {
    if (i >= n) return [W.UpperCase, i];
    const r2 = s[i]!;
    if (isUpper(r2)) {
      i++;
      while (i < n && isUpper(s[i]!)) i++;
      // "HTTPStatus": the last capital starts the next word
      if (i < n && isAlphabet(s[i]!)) i--;
    } else if (isAlphabet(r2)) {
      i++;
      while (i < n && isAlphabet(s[i]!) && !isUpper(s[i]!)) i++;
    }
    return [W.UpperCase, i];
  }
  if (isAlphabet(r)) {
    while (i < n && isAlphabet(s[i]!) && !isUpper(s[i]!)) i++;
    return [W.Alphabet, i];
  }
  if (isNumber(r)) {
    while (i < n && isNumber(s[i]!)) i++;
    return [W.Number, i];
  }
  while (i < n && !(isConnector(s[i]!) || isAlphabet(s[i]!) || isNumber(s[i]!) || isPunct(s[i]!))) i++;
  return [W.Other, i];
}

function lowerWord(out: string[], wt: W, word: string[], connector: string): void {
  if (wt !== W.UpperCase && wt !== W.Connector) {
    out.push(...word);
    return;
  }
  for (const c of word) {
    if (isConnector(c)) out.push(connector);
    else if (isUpper(c)) out.push(toLower(c));
    else out.push(c);
  }
}

/** xstrings camelCaseToLowerCase: snake_case / kebab-case. */
export function camelCaseToLowerCase(str: string, connector: string): string {
  if (str.length === 0) return "";
  const s = Array.from(str);
  const out: string[] = [];
  let pos = 0;
  const next = (): [W, string[]] => {
    const [wt, end] = nextWord(s, pos);
    const w = s.slice(pos, end);
    pos = end;
    return [wt, w];
  };
  let [wt, word] = next();
  while (pos < s.length) {
    if (wt !== W.Connector) lowerWord(out, wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word] = next();
    switch (prev) {
      case W.Number:
        while (wt === W.Alphabet || wt === W.Number) {
          lowerWord(out, wt, word, connector);
          [wt, word] = next();
        }
        if (wt !== W.Invalid && wt !== W.Punct && wt !== W.Connector) out.push(connector);
        break;
      case W.Connector:
        lowerWord(out, prev, last, connector);
        break;
      case W.Punct:
        break;
      default: {
        if (wt !== W.Number) {
          if (wt !== W.Connector && wt !== W.Punct) out.push(connector);
          break;
        }
        if (pos >= s.length) break;
        const lastNum = word;
        [wt, word] = next();
        // a number is part of the previous word ("Bld4Floor" -> "bld4_floor") unless letters follow it
        if (wt !== W.Alphabet) {
          lowerWord(out, W.Number, lastNum, connector);
          if (wt !== W.Connector && wt !== W.Punct) out.push(connector);
          break;
        }
        out.push(connector);
        lowerWord(out, W.Number, lastNum, connector);
        while (wt === W.Alphabet || wt === W.Number) {
          lowerWord(out, wt, word, connector);
          [wt, word] = next();
        }
        if (wt !== W.Invalid && wt !== W.Connector && wt !== W.Punct) out.push(connector);
      }
    }
  }
  lowerWord(out, wt, word, connector);
  return out.join("");
}

/** xstrings toCamelCase (isBig: PascalCase, what sprig's camelcase calls). */
export function toCamelCase(str: string, isBig: boolean): string {
  if (str.length === 0) return "";
  const s = Array.from(str);
  const out: string[] = [];
  let i = 0;
  let r0 = "";
  let isFirstRuneUpper = false;
  while (i < s.length) {
    r0 = s[i++]!;
    if (!isConnector(r0)) {
      isFirstRuneUpper = isUpper(r0);
      r0 = isBig ? toUpper(r0) : toLower(r0);
      break;
    }
    out.push(r0);
  }
  if (i >= s.length) {
    // (xstrings writes the last rune again even when it was a connector already written)
    out.push(r0);
    return out.join("");
  }
  let r1: string;
  while (i < s.length) {
    r1 = r0;
    r0 = s[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out.push(r1);
      continue;
    }
    if (isConnector(r1)) {
      isFirstRuneUpper = isUpper(r0);
      r0 = toUpper(r0);
    } else {
      if (isFirstRuneUpper) {
        if (isUpper(r0)) r0 = toLower(r0);
        else isFirstRuneUpper = false;
      }
      out.push(r1);
    }
  }
  if (isFirstRuneUpper && !isBig) r0 = toLower(r0);
  out.push(r0);
  return out.join("");
}

/** goutils SwapCase (what sprig's swapcase calls): upper and title case to lower, lower to upper. */
export function swapCase(str: string): string {
  let out = "";
  for (const c of str) out += isUpper(c) || /\p{Lt}/u.test(c) ? toLower(c) : isLower(c) ? toUpper(c) : c;
  return out;
}
