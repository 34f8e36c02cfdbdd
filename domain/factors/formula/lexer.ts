/**
 * The formula lexer: numbers (`20`, `0.5`, `.001`, `1e-3`), identifiers (letters, digits, `_`, and dotted names
 * such as `IndClass.sector`), `( ) , ? :` and the operators `+ - * / ^ < <= > >= == != && ||`. Every token keeps
 * its 0-based position and length in the source, so errors can point at it.
 */
import { FormulaError } from "./errors.ts";

export type TokenKind = "num" | "id" | "op" | "end";

export interface Token {
  kind: TokenKind;
  /** The text (an identifier as written, an operator or punctuation mark). */
  text: string;
  /** The number's value (`num` tokens). */
  value: number;
  pos: number;
  len: number;
}

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const OPERATOR = /<=|>=|==|!=|&&|\|\||[-+*/^<>(),?:]/y;

/** Splits `src` into tokens (the last one `end`); throws `FormulaError` at the first character it cannot read. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const m = match(NUMBER, src, i) ?? match(IDENT, src, i) ?? match(OPERATOR, src, i);
    if (m === null) throw new FormulaError(unexpected(src, i), i, 1);
    if (/[\d.]/.test(ch)) {
      const value = Number(m);
      if (!Number.isFinite(value)) throw new FormulaError(`The number ${m} is too large`, i, m.length);
      if (i + m.length < src.length && /[A-Za-z_]/.test(src[i + m.length])) {
        const rest = /[A-Za-z0-9_]*/y;
        rest.lastIndex = i + m.length;
        const len = m.length + (rest.exec(src)?.[0].length ?? 0);
        throw new FormulaError(
          `"${src.slice(i, i + len)}" is not a number or a name (names start with a letter)`,
          i,
          len,
        );
      }
      out.push({ kind: "num", text: m, value, pos: i, len: m.length });
    } else if (/[A-Za-z_]/.test(ch)) {
      out.push({ kind: "id", text: m, value: NaN, pos: i, len: m.length });
    } else {
      out.push({ kind: "op", text: m, value: NaN, pos: i, len: m.length });
    }
    i += m.length;
  }
  out.push({ kind: "end", text: "", value: NaN, pos: src.length, len: 0 });
  return out;
}

function match(re: RegExp, src: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(src);
  return m === null ? null : m[0];
}

function unexpected(src: string, i: number): string {
  const ch = src[i];
  if (ch === "=") return 'Unexpected "=": compare with "==" (a formula assigns nothing)';
  if (ch === "&") return 'Unexpected "&": "and" is written "&&"';
  if (ch === "|") return 'Unexpected "|": "or" is written "||"';
  if (ch === "!") return 'Unexpected "!": "not equal" is written "!="; there is no "not" operator';
  if (ch === "\u2212" || ch === "\u2013") return `Unexpected "${ch}": write the minus sign as "-"`;
  if (ch === "\u00d7") return 'Unexpected "\u00d7": write multiplication as "*"';
  if (ch === "[" || ch === "]" || ch === "{" || ch === "}") return `Unexpected "${ch}": group with ( and )`;
  const shown = ch.codePointAt(0)! < 32 ? `character code ${ch.codePointAt(0)}` : `"${ch}"`;
  return `Unexpected ${shown}: a formula has numbers, names, ( ) , and + - * / ^ < <= > >= == != && || ? :`;
}
