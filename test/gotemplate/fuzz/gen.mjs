// Differential fuzzing of src/gotemplate against real Go (a tool, not a test): writes random template texts to a
// cases file in the format of ../cases.json; ../generator fills in Go's results; compare.mts reports differences.
//   node test/gotemplate/fuzz/gen.mjs MODE SEED N /tmp/fuzz.json   (MODE: soup | pipes | printf | semver | strings)
//   (cd test/gotemplate/generator && go run . /tmp/fuzz.json)
//   node --import tsx test/gotemplate/fuzz/compare.mts /tmp/fuzz.json [SHOW]
import { writeFileSync } from "node:fs";
import fc from "fast-check";

const [mode = "soup", seedArg = "1", nArg = "5000", out = "/tmp/fuzz.json"] = process.argv.slice(2);

const tVal = { X: "x", U: { V: "v" }, I: 17, F: 1.25, MSI: { one: 1, two: 2 }, SI: [3, 4, 5], SS: ["a", "b c"], NIL: null, S: "héllo wörld", E: "" };

// random token soups: lexer and parser errors, trim markers, comments, control structures
const soup = fc
  .array(
    fc.constantFrom("{{", "}}", "{{-", "-}}", " ", ".", ".X", ".U.V", ".SI", ".MSI", ".MSI.one", ".NIL", ".Nope", "$", "$x", "$x :=", "$x =", "$i, $v :=", "|", "(", ")", "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", '"a"', '"t"', "`b`", "'c'", "1", "0", "-1", "1.5", "0x1F", "nil", "true", "false", "index", "len", "slice", "printf", "print", "println", '"%d"', '"%v"', "eq", "ne", "lt", "and", "or", "not", "default", "quote", "toJson", "list", "dict", "first", "add", "html", "js", "call", "/*", "*/", "{{/* c */}}", "\n", "x", ",", ":=", "="),
    { minLength: 1, maxLength: 14 },
  )
  .map((a) => a.join(" "));

// random pipelines of sprig and Go functions over assorted values
const val = fc.constantFrom(".X", ".U", ".U.V", ".SI", ".SS", ".MSI", ".MSI.one", ".NIL", ".Nope", ".I", ".F", ".S", ".E", "$", "1", "0", "-3", "2.5", '"a b"', '""', "`x`", "'z'", "nil", "true", "false", "(list 1 2)", '(dict "k" 1)', "(list)");
const fn1 = fc.constantFrom("quote", "squote", "upper", "lower", "trim", "toJson", "toString", "len", "not", "first", "last", "rest", "empty", "b64enc", "kindOf", "typeOf", "int", "float64", "add1", "toStrings", "html", "js", "urlquery", "print", "println", "sortAlpha", "uniq", "compact", "reverse", "title", "nospace", "toPrettyJson", "deepCopy", "trunc 2", "indent 2", "nindent 1", 'default "d"', 'printf "%v|%d|%s|%q|%x|%5.1f|%t"', "index", "slice", "eq 1", 'ne "a"', "lt 2", "ge 1.5", "and 0", 'or ""', "add 1", "mul 2", "div 7", "mod 5", "max 3", "min 3", 'join ","', "has 3", "without", "append", "prepend", 'split " "', 'splitList ","', 'replace "a" "b"', 'contains "a"', 'hasPrefix "x"', "repeat 2", "substr 0 2", "ternary 1 2", "coalesce", 'dict "a"', "pick", "omit", "hasKey", "get", "set", 'regexFind "[a-z]+"', 'regexReplaceAll "a"', 'semverCompare ">1.0"', "until", "seq", "cat 1", "chunk 2", "concat", "abbrev 5", "wrap 3", 'plural "a" "b"', 'regexFindAll "[a-z]" -1', 'regexSplit "[ ,]" -1', 'regexMatch "^[a-z]+$"', 'regexReplaceAllLiteral "l+" "$1"', "regexQuoteMeta", 'mergeOverwrite (dict "k" 2)', 'merge (dict "z" 0)', 'dig "k" "d"', 'pluck "k"', "toRawJson", "fromJson", "mustFromJson", "b32enc", "b32dec", "b64dec", "sha1sum", "adler32sum", "base", "dir", "ext", "clean", "isAbs", "urlParse", "urlJoin", "camelcase", "snakecase", "kebabcase", "swapcase", "initials", "abbrevboth 1 5", 'wrapWith 3 "|"', 'trimAll "x"', 'trimPrefix "h"', 'trimSuffix "d"', "toDecimal", "atoi", "floor", "ceil", "round 1", "addf 1.5", "subf 1", "mulf 1.5", "divf 2", "maxf 1", "minf 1", "untilStep 0 5", 'splitn " " 2', "mustHas 1", "tuple", "list", "get", "unset", 'typeIs "string"', 'kindIs "map"', "deepEqual .SI", "all", "any", "date \"2006-01-02\"", "htmlDate", "duration", "toString", "mustToJson", "mustRegexFind \"(\"", "mustRest", "mustFirst", "mustLast", "mustUniq", "mustReverse", "mustCompact", "mustAppend", "mustPrepend", "mustWithout", "mustChunk 1", "mustSlice", "mustDeepCopy", "mustMerge", "mustMergeOverwrite", "sha512sum");
const expr = fc.oneof(
  fc.tuple(fn1, fc.array(val, { maxLength: 3 })).map(([f, a]) => `${f} ${a.join(" ")}`),
  fc.tuple(val, fn1).map(([v, f]) => `${v} | ${f}`),
  fc.tuple(val, fn1, fn1).map(([v, f, g]) => `${v} | ${f} | ${g}`),
  val,
);
const pipes = fc
  .array(
    fc.oneof(
      expr.map((e) => `{{ ${e} }}`),
      fc.tuple(expr, expr).map(([a, b]) => `{{ if ${a} }}T{{ else if ${b} }}E{{ else }}F{{ end }}`),
      expr.map((a) => `{{ range $i, $v := ${a} }}[{{ $i }}:{{ $v }}]{{ else }}none{{ end }}`),
      fc.tuple(expr, expr).map(([a, b]) => `{{ with $w := ${a} }}<{{ . }}|{{ $w }}>{{ else with ${b} }}w2{{ end }}`),
      expr.map((a) => `{{ $x := ${a} }}{{ $x = (print $x "!") }}{{ $x }}`),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((a) => a.join(" - "));

// random printf formats and arguments
const flags = fc.array(fc.constantFrom("-", "+", "#", "0", " "), { maxLength: 3 }).map((a) => a.join(""));
const width = fc.oneof(fc.constant(""), fc.integer({ min: 0, max: 12 }).map(String), fc.constant("*"));
const prec = fc.oneof(fc.constant(""), fc.integer({ min: 0, max: 8 }).map((n) => "." + n), fc.constant("."), fc.constant(".*"));
const verb = fc.constantFrom("v", "d", "s", "q", "x", "X", "o", "O", "b", "e", "E", "f", "F", "g", "G", "t", "c", "U", "T", "%", "z", "p");
const spec = fc.tuple(flags, width, prec, verb).map(([a, b, c, d]) => `%${a}${b}${c}${d}`);
const fmt = fc.array(fc.oneof(spec, fc.constantFrom("", "x", " ", "|", "%%", "é")), { minLength: 1, maxLength: 4 }).map((a) => a.join(""));
const parg = fc.constantFrom("0", "1", "-7", "42", "255", "65", "-0.5", "1.5", "3.14159", "0.000123", "12345.678", "1e-7", '""', '"abc"', '"héllo"', '"日本語"', "true", "nil", ".NIL", ".Nope", ".SI", ".MSI", ".SS", "(list)", "(dict)", "'x'", ".U");
const printf = fc.tuple(fmt, fc.array(parg, { maxLength: 4 })).map(([f, a]) => `{{ printf ${JSON.stringify(f)} ${a.join(" ")} }}`);

// random semver constraints and versions
const num = fc.constantFrom("0", "1", "2", "3", "10");
const part = fc.oneof(num, fc.constantFrom("x", "X", "*"));
const pre = fc.constantFrom("", "", "", "-alpha", "-beta.1", "-0", "-rc.2");
const ver = fc.tuple(fc.constantFrom("", "v"), num, fc.option(num), fc.option(num), pre).map(([v, a, b, c, p]) => `${v}${a}${b !== null ? "." + b : ""}${b !== null && c !== null ? "." + c : ""}${p}`);
const cver = fc.tuple(part, fc.option(part), fc.option(part), pre).map(([a, b, c, p]) => `${a}${b !== null ? "." + b : ""}${b !== null && c !== null ? "." + c : ""}${p}`);
const single = fc.tuple(fc.constantFrom("", "=", "!=", ">", "<", ">=", "<=", "~", "~>", "^", "=>", "=<"), fc.constantFrom("", " "), cver).map(([o, s, v]) => `${o}${s}${v}`);
const and = fc.array(fc.oneof(single, single, fc.tuple(cver, cver).map(([a, b]) => `${a} - ${b}`)), { minLength: 1, maxLength: 2 }).chain((a) => fc.constantFrom(", ", " ", ",").map((sep) => a.join(sep)));
const semver = fc.tuple(fc.array(and, { minLength: 1, maxLength: 2 }).map((a) => a.join(" || ")), ver).map(([c, v]) => `{{ semverCompare ${JSON.stringify(c)} ${JSON.stringify(v)} }}`);

// string functions over short random texts (case mappings, bytes-based goutils functions, regexps, escapes)
const text = fc.string({ unit: fc.constantFrom("a", "b", "A", "B", "H", "T", "P", "1", "2", " ", "_", "-", ".", "é", "É", "世", "x", "X", "!", "\t", "ß", "ǅ"), maxLength: 14 });
const strings = fc
  .tuple(fc.constantFrom("snakecase", "kebabcase", "camelcase", "swapcase", "title", "untitle", "initials", "nospace", "abbrev 6", "trunc 3", "wrap 4", "substr 1 4", "upper", "lower", "trim", 'trimAll "a"', "squote", "quote", "toJson", "b64enc", "sha256sum", "adler32sum", "len", "repeat 2", 'replace "a" "b"', 'split "a"', 'splitList " "', 'regexFindAll "[A-Z]+"', 'regexReplaceAll "(a)(b)?" "[$1$2]"', 'regexSplit "[ _-]+"', 'cat "x"', "indent 2", "nindent 1", "html", "js", "urlquery", 'printf "%q|%x|%5.2s|%-4s|"'), text)
  .map(([f, s]) => (f.startsWith("regexFindAll") || f.startsWith("regexSplit") ? `{{ ${f} ${JSON.stringify(s)} -1 }}` : `{{ ${JSON.stringify(s)} | ${f} }}`));

const arbs = { soup, pipes, printf, semver, strings };
const arb = arbs[mode];
if (!arb) throw new Error(`mode: one of ${Object.keys(arbs).join(", ")}`);
const samples = fc.sample(arb, { numRuns: Number(nArg), seed: Number(seedArg) });
writeFileSync(out, JSON.stringify(samples.map((tpl, i) => ({ name: `${mode}${i}`, tpl, data: tVal }))));
console.log(`${samples.length} ${mode} cases -> ${out}`);
