/**
 * Tokens of the Python subset the backtrader importer reads (never runs). Bounded: at most
 * `MAX_PYTHON_CHARS` characters, `MAX_PYTHON_LINES` lines and `MAX_PYTHON_DEPTH` open brackets or indented
 * blocks; control characters (other than tab and the line ends), unterminated strings, numbers beyond a double
 * and indentation that mixes tabs and spaces are refused. Every refusal is a `ValidationError` at `loc` whose
 * message starts with `line N:`. CRLF and CR line ends read as LF. Comment lines that start with
 * `# quantedge:` are kept (the exporter's fields without a backtrader form); other comments are dropped.
 */
import { ValidationError } from "../../errors.ts";

/** Most characters of Python code read. */
const MAX_PYTHON_CHARS = 20_000;
/** Most lines of Python code read. */
const MAX_PYTHON_LINES = 2_000;
/** Most brackets open at once, indented blocks, or nested expression levels. */
export const MAX_PYTHON_DEPTH = 50;

/** A token; `line` and `col` are 1-based. */
export interface PyToken {
  t: "name" | "num" | "str" | "op" | "newline" | "indent" | "dedent" | "end";
  v: string;
  /** The value of a number token. */
  num?: number;
  /** The prefix letters of a string token (`f`, `r`, `b`, …), lower-case. */
  prefix?: string;
  line: number;
  col: number;
}

/** A `# quantedge: key: value` comment line. */
export interface QuantedgeComment {
  line: number;
  key: string;
  value: string;
}

const OPS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "->",
  ":=",
  "<<",
  ">>",
  "<>",
];
const SINGLE = "+-*/%<>=()[]{},:.;@&|^~!";
const IDENT_START = /[\p{L}\p{Nl}_]/u;
const IDENT_PART = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/;

/** The tokens of `src` and its `# quantedge:` comments; a `ValidationError` at `loc` for input outside the bounds. */
export function tokenizePython(
  src: string,
  loc: (string | number)[],
): { tokens: PyToken[]; comments: QuantedgeComment[] } {
  const fail = (line: number, msg: string, type = "syntax_error"): never => {
    throw new ValidationError(`line ${line}: ${msg}`, loc, type);
  };
  if (src.length > MAX_PYTHON_CHARS) {
    const line = src.slice(0, MAX_PYTHON_CHARS).split("\n").length;
    fail(line, `the code is longer than ${MAX_PYTHON_CHARS} characters`, "too_long");
  }
  const text = src.replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  if (lines.length > MAX_PYTHON_LINES) {
    fail(MAX_PYTHON_LINES + 1, `the code has more than ${MAX_PYTHON_LINES} lines`, "too_long");
  }
  const tokens: PyToken[] = [];
  const comments: QuantedgeComment[] = [];
  const indents: string[] = [""];
  let indentChar: "\t" | " " | null = null;
  let depth = 0; // open brackets
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let atLineStart = true;
  const push = (t: PyToken["t"], v: string, col: number, extra: Partial<PyToken> = {}) =>
    tokens.push({ t, v, line, col, ...extra });

  while (i <= text.length) {
    if (atLineStart && depth === 0) {
      // Measure the indentation of a logical line; blank and comment-only lines do not count.
      let j = i;
      while (j < text.length && (text[j] === " " || text[j] === "\t" || text[j] === "\f")) j++;
      const ws = text.slice(i, j);
      const ch = text[j];
      if (j >= text.length || ch === "\n" || ch === "#") {
        if (ch === "#") {
          const end = text.indexOf("\n", j);
          const comment = text.slice(j, end < 0 ? text.length : end);
          keepComment(comment, line, comments, fail);
          checkControl(comment, line, fail);
          j = end < 0 ? text.length : end;
        }
        if (j >= text.length) break;
        i = j + 1;
        line++;
        lineStart = i;
        continue;
      }
      if (ws.includes(" ") && ws.includes("\t")) fail(line, "the indentation mixes tabs and spaces");
      if (ws.includes("\f")) fail(line, "a form feed in the indentation");
      if (ws.length > 0) {
        const c = ws[0] as "\t" | " ";
        if (indentChar === null) indentChar = c;
        else if (indentChar !== c) fail(line, "the indentation mixes tabs and spaces (across lines)");
      }
      const top = indents[indents.length - 1];
      if (ws.length > top.length) {
        if (!ws.startsWith(top)) fail(line, "inconsistent indentation");
        indents.push(ws);
        if (indents.length - 1 > MAX_PYTHON_DEPTH) {
          fail(line, `blocks nested more than ${MAX_PYTHON_DEPTH} deep`, "too_deep");
        }
        push("indent", "", ws.length + 1);
      } else if (ws.length < top.length) {
        while (indents[indents.length - 1].length > ws.length) {
          indents.pop();
          push("dedent", "", ws.length + 1);
        }
        if (indents[indents.length - 1] !== ws) fail(line, "the indentation does not match any outer block");
      }
      i = j;
      atLineStart = false;
    }
    if (i >= text.length) break;
    const ch = text[i];
    const col = i - lineStart + 1;
    if (ch === "\n") {
      if (depth === 0) {
        push("newline", "", col);
        atLineStart = true;
      }
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\f") {
      i++;
      continue;
    }
    if (ch === "#") {
      const end = text.indexOf("\n", i);
      const comment = text.slice(i, end < 0 ? text.length : end);
      checkControl(comment, line, fail);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (ch === "\\") {
      if (text[i + 1] !== "\n") fail(line, "a backslash outside a string must end the line");
      i += 2;
      line++;
      lineStart = i;
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      fail(line, `control character U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed`);
    }
    // Strings, with an optional prefix.
    const pre = /^([rRbBuUfF]{1,2})?(['"])/.exec(text.slice(i, i + 4));
    if (pre && (pre[1] === undefined || /^(r|b|u|f|rb|br|fr|rf)$/i.test(pre[1]))) {
      const prefix = (pre[1] ?? "").toLowerCase();
      const q = pre[2];
      let k = i + prefix.length;
      const triple = text.startsWith(q.repeat(3), k);
      const delim = triple ? q.repeat(3) : q;
      k += delim.length;
      const startLine = line;
      let value = "";
      for (;;) {
        if (k >= text.length) fail(startLine, "unterminated string");
        const c = text[k];
        if (text.startsWith(delim, k)) {
          k += delim.length;
          break;
        }
        if (c === "\n") {
          if (!triple) fail(startLine, "unterminated string (it ends at the end of the line)");
          line++;
          lineStart = k + 1;
        } else {
          const cc = c.charCodeAt(0);
          if ((cc < 0x20 && c !== "\t") || (cc >= 0x7f && cc <= 0x9f)) {
            fail(line, `control character U+${cc.toString(16).toUpperCase().padStart(4, "0")} in a string`);
          }
        }
        if (c === "\\" && k + 1 < text.length) {
          const e = text[k + 1];
          if (e === "\n") {
            line++;
            lineStart = k + 2;
          }
          value += prefix.includes("r") ? c + e : ESCAPES[e] ?? c + e;
          k += 2;
          continue;
        }
        value += c;
        k++;
      }
      tokens.push({ t: "str", v: value, prefix, line: startLine, col });
      i = k;
      continue;
    }
    if (IDENT_START.test(ch)) {
      let k = i + 1;
      while (k < text.length && IDENT_PART.test(text[k])) k++;
      push("name", text.slice(i, k), col);
      i = k;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = NUMBER.exec(text.slice(i, i + 400));
      if (!m) fail(line, "a malformed number");
      const raw = m![0];
      if (IDENT_PART.test(text[i + raw.length] ?? "") || text[i + raw.length] === ".") {
        fail(line, `a malformed number "${text.slice(i, i + raw.length + 1)}"`);
      }
      if (/[jJ]$/.test(raw)) fail(line, "complex numbers are not supported", "unsupported_construct");
      const clean = raw.replace(/_/g, "");
      const value = /^0[xXoObB]/.test(clean) ? Number(clean) : Number(clean);
      if (!Number.isFinite(value)) fail(line, `the number ${raw.slice(0, 30)}… is too large`);
      push("num", raw, col, { num: value });
      i += raw.length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i)) ?? (SINGLE.includes(ch) ? ch : null);
    if (op === null) fail(line, `unexpected character "${ch}"`);
    if (op === "(" || op === "[" || op === "{") {
      if (++depth > MAX_PYTHON_DEPTH) {
        fail(line, `brackets nested more than ${MAX_PYTHON_DEPTH} deep`, "too_deep");
      }
    } else if (op === ")" || op === "]" || op === "}") {
      if (depth === 0) fail(line, `unmatched "${op}"`);
      depth--;
    }
    push("op", op!, col);
    i += op!.length;
  }
  if (depth > 0) fail(line, "a bracket is never closed");
  if (tokens.length > 0 && tokens[tokens.length - 1].t !== "newline") push("newline", "", 1);
  while (indents.length > 1) {
    indents.pop();
    push("dedent", "", 1);
  }
  push("end", "", 1);
  return { tokens, comments };
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
  "0": "\0",
};

function checkControl(s: string, line: number, fail: (line: number, msg: string) => never) {
  for (const c of s) {
    const cc = c.charCodeAt(0);
    if ((cc < 0x20 && c !== "\t") || (cc >= 0x7f && cc <= 0x9f)) {
      fail(line, `control character U+${cc.toString(16).toUpperCase().padStart(4, "0")} is not allowed`);
    }
  }
}

/** Keeps a whole-line comment of the form `# quantedge: key: value`. */
function keepComment(
  comment: string,
  line: number,
  out: QuantedgeComment[],
  fail: (line: number, msg: string, type?: string) => never,
) {
  const m = /^#\s*quantedge:(.*)$/.exec(comment);
  if (!m || !comment.startsWith("# quantedge:")) return;
  const rest = m[1].trim();
  const colon = rest.indexOf(":");
  if (colon < 1) {
    fail(line, 'a "# quantedge:" comment must read "# quantedge: key: value"', "invalid_comment");
  }
  out.push({ line, key: rest.slice(0, colon).trim().toLowerCase(), value: rest.slice(colon + 1).trim() });
}
