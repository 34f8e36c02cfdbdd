/**
 * The formula parser: recursive descent over the lexer's tokens into a syntax tree whose every node keeps its
 * span in the source. Precedence, loosest first (as in C and the 101 Formulaic Alphas paper):
 *
 *   formula := ternary
 *   ternary := or ("?" ternary ":" ternary)?            right-associative: a ? b : c ? d : e
 *   or      := and ("||" and)*
 *   and     := equal ("&&" equal)*
 *   equal   := compare (("==" | "!=") compare)?         comparisons do not chain
 *   compare := sum (("<" | "<=" | ">" | ">=") sum)?
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/") unary)*
 *   unary   := "-" unary | "+" unary | power
 *   power   := primary ("^" unary)?                       right-associative, tighter than unary minus:
 *                                                         -x^2 = -(x^2), 2^-1 = 0.5, a^b^c = a^(b^c)
 *   primary := number | name | name "(" [ternary ("," ternary)*] ")" | "(" ternary ")"
 *
 * Names are resolved later (`check.ts`), so the parser only knows the shape.
 */
import { FormulaError, MAX_FORMULA_DEPTH } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";

/** A node of the syntax tree; `pos`/`len` is its span in the source. */
export type Syntax =
  | { kind: "num"; value: number; pos: number; len: number }
  | { kind: "name"; name: string; pos: number; len: number }
  | { kind: "call"; name: string; namePos: number; nameLen: number; args: Syntax[]; pos: number; len: number }
  | { kind: "unary"; op: "-" | "+"; arg: Syntax; pos: number; len: number }
  | { kind: "binary"; op: string; left: Syntax; right: Syntax; opPos: number; pos: number; len: number }
  | { kind: "cond"; test: Syntax; then: Syntax; other: Syntax; pos: number; len: number };

const COMPARE = new Set(["<", "<=", ">", ">="]);
const EQUAL = new Set(["==", "!="]);

/** Parses `src` into a syntax tree; throws `FormulaError` at the first problem. */
export function parseSyntax(src: string): Syntax {
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;

  const peek = (): Token => toks[p];
  const isOp = (text: string) => toks[p].kind === "op" && toks[p].text === text;
  const end = (n: Syntax) => n.pos + n.len;
  const describe = (t: Token) =>
    t.kind === "end" ? "the end of the formula" : t.kind === "num" ? `the number ${t.text}` : `"${t.text}"`;

  function enter(at: Token): void {
    if (++depth > MAX_FORMULA_DEPTH) {
      throw new FormulaError(
        `The formula nests more than ${MAX_FORMULA_DEPTH} levels deep (parentheses, calls, minus signs, powers)`,
        at.pos,
        Math.max(at.len, 1),
      );
    }
  }

  function expect(text: string, context: string): Token {
    const t = peek();
    if (t.kind !== "op" || t.text !== text) {
      throw new FormulaError(
        `Expected "${text}" ${context}, found ${describe(t)}`,
        t.pos,
        Math.max(t.len, 1),
      );
    }
    p++;
    return t;
  }

  function ternary(): Syntax {
    enter(peek());
    const test = or();
    let out = test;
    if (isOp("?")) {
      p++;
      const then = ternary();
      expect(":", "after the first branch of a ? : choice");
      const other = ternary();
      out = { kind: "cond", test, then, other, pos: test.pos, len: end(other) - test.pos };
    }
    depth--;
    return out;
  }

  function binary(op: Token, left: Syntax, right: Syntax): Syntax {
    return {
      kind: "binary",
      op: op.text,
      left,
      right,
      opPos: op.pos,
      pos: left.pos,
      len: end(right) - left.pos,
    };
  }

  function chain(ops: Set<string>, next: () => Syntax): Syntax {
    let left = next();
    while (peek().kind === "op" && ops.has(peek().text)) {
      const op = toks[p++];
      left = binary(op, left, next());
    }
    return left;
  }

  const or = () => chain(new Set(["||"]), and);
  const and = () => chain(new Set(["&&"]), equal);
  const sum = () => chain(new Set(["+", "-"]), product);
  const product = () => chain(new Set(["*", "/"]), unary);

  function single(ops: Set<string>, next: () => Syntax, what: string): Syntax {
    const left = next();
    if (peek().kind !== "op" || !ops.has(peek().text)) return left;
    const op = toks[p++];
    const out = binary(op, left, next());
    const t = peek();
    if (t.kind === "op" && ops.has(t.text)) {
      throw new FormulaError(
        `${what} do not chain: write (a ${op.text} b) && (b ${t.text} c), or add parentheses`,
        t.pos,
        t.len,
      );
    }
    return out;
  }

  const equal = () => single(EQUAL, compare, "Equality tests");
  const compare = () => single(COMPARE, sum, "Comparisons");

  function unary(): Syntax {
    const t = peek();
    if (t.kind === "op" && (t.text === "-" || t.text === "+")) {
      enter(t);
      p++;
      const arg = unary();
      depth--;
      return { kind: "unary", op: t.text as "-" | "+", arg, pos: t.pos, len: end(arg) - t.pos };
    }
    return power();
  }

  function power(): Syntax {
    const base = primary();
    if (!isOp("^")) return base;
    const op = toks[p++];
    enter(op);
    const exponent = unary();
    depth--;
    return binary(op, base, exponent);
  }

  function primary(): Syntax {
    const t = peek();
    if (t.kind === "num") {
      p++;
      return { kind: "num", value: t.value, pos: t.pos, len: t.len };
    }
    if (t.kind === "id") {
      p++;
      if (!isOp("(")) return { kind: "name", name: t.text, pos: t.pos, len: t.len };
      p++;
      const args: Syntax[] = [];
      if (!isOp(")")) {
        for (;;) {
          args.push(ternary());
          if (!isOp(",")) break;
          p++;
        }
      }
      const close = expect(")", `to close ${t.text}(`);
      return {
        kind: "call",
        name: t.text,
        namePos: t.pos,
        nameLen: t.len,
        args,
        pos: t.pos,
        len: close.pos + 1 - t.pos,
      };
    }
    if (t.kind === "op" && t.text === "(") {
      p++;
      const inner = ternary();
      const close = expect(")", "to close (");
      // The parentheses belong to the span, so an error about the group points at all of it.
      return { ...inner, pos: t.pos, len: close.pos + 1 - t.pos } as Syntax;
    }
    if (t.kind === "end") {
      throw new FormulaError(
        p === 0 ? "The formula is empty" : "The formula ends too early: a value is missing",
        t.pos,
        1,
      );
    }
    throw new FormulaError(`Expected a number, a name or "(", found ${describe(t)}`, t.pos, t.len);
  }

  const root = ternary();
  const t = peek();
  if (t.kind !== "end") {
    throw new FormulaError(
      t.kind === "op" && t.text === ")"
        ? 'Unmatched ")": there is no "(" for it'
        : `Unexpected ${describe(t)} after a complete formula: an operator or "," is missing`,
      t.pos,
      t.len,
    );
  }
  return root;
}
