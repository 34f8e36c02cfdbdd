/**
 * A parser for the small Python subset a backtrader strategy is written in (the code is parsed, never run).
 *
 * Statements: `import` / `from … import` (of `backtrader`, `datetime`, `math`, `pandas` and `__future__`
 * only), `class` with bases, `def` with plain and default parameters, assignment (also to tuple targets and
 * chained), augmented assignment, `if`/`elif`/`else`, `for … in …:`, `return`, `pass`, expression statements
 * and docstrings. Expressions: names, numbers, strings, `True False None`, attributes, calls with positional and
 * keyword arguments, subscripts, tuples, lists, dicts, unary `- + not`, binary `+ - * / // % **`, comparisons
 * (chained: `a < b < c`), `is`/`is not`, `in`/`not in`, `and`/`or`, `...`.
 *
 * Anything else (`while`, `lambda`, `try`, `with`, decorators, comprehensions, `*args`, `global`, `yield`,
 * conditional expressions, slices, calls of `exec`/`eval`/`getattr`/…, dunder attributes) is a
 * `ValidationError` of type `unsupported_construct` whose message names the construct and the line; a syntax
 * mistake is one of type `syntax_error`. Every node carries its 1-based line.
 */
import { ValidationError } from "../../errors.ts";
import { MAX_PYTHON_DEPTH, type PyToken, type QuantedgeComment, tokenizePython } from "./python_lexer.ts";

/** An expression node. */
export type PyExpr =
  & { line: number }
  & (
    | { k: "name"; id: string }
    | { k: "num"; value: number }
    | { k: "str"; value: string; prefix: string }
    | { k: "const"; value: boolean | null }
    | { k: "ellipsis" }
    | { k: "attr"; value: PyExpr; attr: string }
    | { k: "sub"; value: PyExpr; index: PyExpr }
    | { k: "call"; func: PyExpr; args: PyExpr[]; kwargs: { name: string; value: PyExpr }[] }
    | { k: "tuple"; items: PyExpr[] }
    | { k: "list"; items: PyExpr[] }
    | { k: "dict"; keys: PyExpr[]; values: PyExpr[] }
    | { k: "unary"; op: "-" | "+" | "not" | "~"; operand: PyExpr }
    | { k: "bin"; op: string; left: PyExpr; right: PyExpr }
    | { k: "bool"; op: "and" | "or"; values: PyExpr[] }
    | { k: "compare"; left: PyExpr; ops: string[]; comparators: PyExpr[] }
  );

/** A statement node. */
export type PyStmt =
  & { line: number }
  & (
    | { k: "import"; names: { name: string; as: string | null }[] }
    | { k: "from"; module: string; names: { name: string; as: string | null }[] }
    | { k: "class"; name: string; bases: PyExpr[]; body: PyStmt[] }
    | { k: "def"; name: string; params: { name: string; default: PyExpr | null }[]; body: PyStmt[] }
    | { k: "assign"; targets: PyExpr[]; value: PyExpr }
    | { k: "augassign"; target: PyExpr; op: string; value: PyExpr }
    | { k: "if"; test: PyExpr; body: PyStmt[]; orelse: PyStmt[] }
    | { k: "for"; target: PyExpr; iter: PyExpr; body: PyStmt[] }
    | { k: "return"; value: PyExpr | null }
    | { k: "pass" }
    | { k: "expr"; value: PyExpr }
  );

/** A parsed module: its statements and its `# quantedge:` comment lines. */
export interface PyModule {
  body: PyStmt[];
  comments: QuantedgeComment[];
}

/** Modules an import may name (a submodule of one of them too). */
const ALLOWED_MODULES = ["backtrader", "datetime", "math", "pandas", "__future__"];

const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  while: "`while` loops",
  lambda: "`lambda` functions",
  try: "`try` blocks",
  except: "`except` blocks",
  finally: "`finally` blocks",
  raise: "`raise` statements",
  with: "`with` blocks",
  global: "`global` declarations",
  nonlocal: "`nonlocal` declarations",
  yield: "`yield` (generators)",
  async: "`async` functions",
  await: "`await`",
  del: "`del` statements",
  assert: "`assert` statements",
  break: "`break`",
  continue: "`continue`",
  match: "`match` statements",
  print: "",
};

const FORBIDDEN_CALLS = new Set([
  "exec",
  "eval",
  "compile",
  "getattr",
  "setattr",
  "delattr",
  "hasattr",
  "__import__",
  "open",
  "globals",
  "locals",
  "vars",
  "input",
  "breakpoint",
  "type",
  "object",
]);

const KEYWORDS = new Set([
  "and",
  "or",
  "not",
  "in",
  "is",
  "if",
  "elif",
  "else",
  "for",
  "def",
  "class",
  "return",
  "pass",
  "import",
  "from",
  "as",
  "True",
  "False",
  "None",
  ...Object.keys(UNSUPPORTED_KEYWORDS).filter((k) => k !== "print" && k !== "match"),
]);

const COMPARE_OPS = new Set(["<", ">", "==", ">=", "<=", "!="]);

/** Parses `src` (Python) into statements; errors are `ValidationError`s at `loc` naming the line. */
export function parsePython(src: string, loc: (string | number)[]): PyModule {
  const { tokens, comments } = tokenizePython(src, loc);
  let p = 0;
  let depth = 0;
  const peek = (o = 0) => tokens[Math.min(p + o, tokens.length - 1)];
  const take = () => tokens[p++];
  const fail = (line: number, msg: string, type = "syntax_error"): never => {
    throw new ValidationError(`line ${line}: ${msg}`, loc, type);
  };
  const unsupported = (line: number, what: string): never =>
    fail(
      line,
      `${what} ${
        /^(importing|the |relative|`await`|`break`|`continue`|`yield|`import \*`|`for … else`|`[a-z_]+\(\)`$)/
            .test(what)
          ? "is"
          : "are"
      } not supported (backtrader code is read for a small subset and never run)`,
      "unsupported_construct",
    );
  const describe = (t: PyToken) =>
    t.t === "end"
      ? "the end of the code"
      : t.t === "newline"
      ? "the end of the line"
      : t.t === "indent"
      ? "an indented block"
      : t.t === "dedent"
      ? "the end of a block"
      : `"${t.v}"`;
  const isOp = (v: string, o = 0) => peek(o).t === "op" && peek(o).v === v;
  const isName = (v: string, o = 0) => peek(o).t === "name" && peek(o).v === v;
  const expectOp = (v: string) => {
    const t = take();
    if (t.t !== "op" || t.v !== v) fail(t.line, `expected "${v}" but found ${describe(t)}`);
    return t;
  };
  const expectName = (): PyToken => {
    const t = take();
    if (t.t !== "name" || KEYWORDS.has(t.v)) fail(t.line, `expected a name but found ${describe(t)}`);
    return t;
  };
  const enter = (line: number) => {
    if (++depth > MAX_PYTHON_DEPTH * 4) {
      fail(line, `expression nested more than ${MAX_PYTHON_DEPTH * 4} levels deep`, "too_deep");
    }
  };

  // ---- expressions ----
  const expr = (): PyExpr => {
    const t = peek();
    enter(t.line);
    if (isName("lambda")) unsupported(t.line, UNSUPPORTED_KEYWORDS.lambda);
    if (isName("yield")) unsupported(t.line, UNSUPPORTED_KEYWORDS.yield);
    if (isName("await")) unsupported(t.line, UNSUPPORTED_KEYWORDS.await);
    const e = orExpr();
    if (isName("if")) unsupported(peek().line, "conditional expressions (`x if c else y`)");
    if (isOp(":=")) unsupported(peek().line, "assignment expressions (`:=`)");
    depth--;
    return e;
  };
  const boolOp = (op: "and" | "or", next: () => PyExpr) => (): PyExpr => {
    const first = next();
    if (!isName(op)) return first;
    const values = [first];
    while (isName(op)) (take(), values.push(next()));
    return { k: "bool", op, values, line: first.line };
  };
  const notExpr = (): PyExpr => {
    if (isName("not")) {
      const t = take();
      enter(t.line);
      const operand = notExpr();
      depth--;
      return { k: "unary", op: "not", operand, line: t.line };
    }
    return comparison();
  };
  const andExpr = boolOp("and", notExpr);
  const orExpr = boolOp("or", andExpr);
  const comparison = (): PyExpr => {
    const left = bitOr();
    const ops: string[] = [];
    const comparators: PyExpr[] = [];
    for (;;) {
      const t = peek();
      let op: string | null = null;
      if (t.t === "op" && COMPARE_OPS.has(t.v)) op = take().v;
      else if (t.t === "op" && t.v === "<>") fail(t.line, '"<>" is not Python 3; use "!="');
      else if (isName("is")) {
        take();
        op = isName("not") ? (take(), "is not") : "is";
      } else if (isName("in")) op = (take(), "in");
      else if (isName("not") && isName("in", 1)) op = (take(), take(), "not in");
      if (op === null) break;
      ops.push(op);
      comparators.push(bitOr());
    }
    return ops.length === 0 ? left : { k: "compare", left, ops, comparators, line: left.line };
  };
  const binary = (ops: string[], next: () => PyExpr) => (): PyExpr => {
    let left = next();
    while (peek().t === "op" && ops.includes(peek().v)) {
      const op = take().v;
      left = { k: "bin", op, left, right: next(), line: left.line };
    }
    return left;
  };
  const unary = (): PyExpr => {
    const t = peek();
    if (t.t === "op" && (t.v === "-" || t.v === "+" || t.v === "~")) {
      take();
      enter(t.line);
      const operand = unary();
      depth--;
      return { k: "unary", op: t.v as "-" | "+" | "~", operand, line: t.line };
    }
    return power();
  };
  const power = (): PyExpr => {
    const base = postfix();
    if (isOp("**")) {
      take();
      return { k: "bin", op: "**", left: base, right: unary(), line: base.line };
    }
    return base;
  };
  const term = binary(["*", "/", "//", "%", "@"], unary);
  const arith = binary(["+", "-"], term);
  const shift = binary(["<<", ">>"], arith);
  const bitAnd = binary(["&"], shift);
  const bitXor = binary(["^"], bitAnd);
  const bitOr = binary(["|"], bitXor);

  const postfix = (): PyExpr => {
    let e = atom();
    for (;;) {
      if (isOp(".")) {
        take();
        const name = expectName();
        if (name.v.startsWith("__") && name.v.endsWith("__") && name.v !== "__init__") {
          unsupported(name.line, `the dunder attribute \`${name.v}\``);
        }
        e = { k: "attr", value: e, attr: name.v, line: e.line };
      } else if (isOp("(")) {
        const open = take();
        if (e.k === "name" && FORBIDDEN_CALLS.has(e.id)) unsupported(open.line, `\`${e.id}()\``);
        const args: PyExpr[] = [];
        const kwargs: { name: string; value: PyExpr }[] = [];
        while (!isOp(")")) {
          const t = peek();
          if (t.t === "op" && (t.v === "*" || t.v === "**")) {
            unsupported(t.line, "star arguments (`*args`, `**kwargs`)");
          }
          if (t.t === "name" && isOp("=", 1)) {
            take();
            take();
            if (kwargs.some((k) => k.name === t.v)) fail(t.line, `keyword argument "${t.v}" given twice`);
            kwargs.push({ name: t.v, value: expr() });
          } else {
            if (kwargs.length > 0) fail(t.line, "a positional argument follows a keyword argument");
            const a = expr();
            if (isName("for")) unsupported(a.line, "comprehensions and generator expressions");
            args.push(a);
          }
          if (!isOp(",")) break;
          take();
        }
        expectOp(")");
        e = { k: "call", func: e, args, kwargs, line: e.line };
      } else if (isOp("[")) {
        const open = take();
        const items: PyExpr[] = [];
        while (!isOp("]")) {
          if (isOp(":")) unsupported(open.line, "slices (`x[a:b]`)");
          items.push(expr());
          if (isOp(":")) unsupported(open.line, "slices (`x[a:b]`)");
          if (!isOp(",")) break;
          take();
        }
        expectOp("]");
        if (items.length === 0) fail(open.line, "an empty subscript");
        const index: PyExpr = items.length === 1 ? items[0] : { k: "tuple", items, line: open.line };
        e = { k: "sub", value: e, index, line: e.line };
      } else return e;
    }
  };

  const sequence = (close: string, line: number): { items: PyExpr[]; trailing: boolean } => {
    const items: PyExpr[] = [];
    let trailing = false;
    while (!isOp(close)) {
      if (isOp("*") || isOp("**")) unsupported(peek().line, "star unpacking (`*x`)");
      const e = expr();
      if (isName("for")) unsupported(line, "comprehensions and generator expressions");
      items.push(e);
      trailing = false;
      if (!isOp(",")) break;
      take();
      trailing = true;
    }
    expectOp(close);
    return { items, trailing };
  };

  const atom = (): PyExpr => {
    const t = take();
    if (t.t === "num") return { k: "num", value: t.num!, line: t.line };
    if (t.t === "str") {
      let value = t.v;
      const prefix = t.prefix ?? "";
      while (peek().t === "str") value += take().v; // implicit concatenation
      return { k: "str", value, prefix, line: t.line };
    }
    if (t.t === "name") {
      if (t.v === "True" || t.v === "False") return { k: "const", value: t.v === "True", line: t.line };
      if (t.v === "None") return { k: "const", value: null, line: t.line };
      if (UNSUPPORTED_KEYWORDS[t.v] && KEYWORDS.has(t.v)) unsupported(t.line, UNSUPPORTED_KEYWORDS[t.v]);
      if (KEYWORDS.has(t.v)) fail(t.line, `unexpected "${t.v}"`);
      return { k: "name", id: t.v, line: t.line };
    }
    if (t.t === "op") {
      if (t.v === "...") return { k: "ellipsis", line: t.line };
      if (t.v === "(") {
        if (isOp(")")) return (take(), { k: "tuple", items: [], line: t.line });
        enter(t.line);
        const first = expr();
        if (isName("for")) unsupported(t.line, "comprehensions and generator expressions");
        if (isOp(")")) {
          take();
          depth--;
          return first;
        }
        expectOp(",");
        const rest = sequence(")", t.line);
        depth--;
        return { k: "tuple", items: [first, ...rest.items], line: t.line };
      }
      if (t.v === "[") {
        enter(t.line);
        const { items } = sequence("]", t.line);
        depth--;
        return { k: "list", items, line: t.line };
      }
      if (t.v === "{") {
        enter(t.line);
        const keys: PyExpr[] = [];
        const values: PyExpr[] = [];
        while (!isOp("}")) {
          if (isOp("**")) unsupported(peek().line, "dict unpacking (`**d`)");
          const key = expr();
          if (!isOp(":")) unsupported(t.line, "set literals and comprehensions");
          take();
          values.push(expr());
          keys.push(key);
          if (isName("for")) unsupported(t.line, "comprehensions and generator expressions");
          if (!isOp(",")) break;
          take();
        }
        expectOp("}");
        depth--;
        return { k: "dict", keys, values, line: t.line };
      }
      if (t.v === "@") unsupported(t.line, "decorators");
      if (t.v === "*" || t.v === "**") unsupported(t.line, "star arguments (`*args`, `**kwargs`)");
    }
    return fail(t.line, `unexpected ${describe(t)}`);
  };

  /** An expression list: `a` or `a, b` (a tuple). */
  const exprList = (): PyExpr => {
    const first = expr();
    if (!isOp(",")) return first;
    const items = [first];
    while (isOp(",")) {
      take();
      if (peek().t === "newline" || isOp("=") || isOp(":") || isName("in")) break;
      items.push(expr());
    }
    return { k: "tuple", items, line: first.line };
  };

  // ---- statements ----
  const endOfLine = () => {
    if (isOp(";")) unsupported(peek().line, "several statements on one line (`;`)");
    const t = take();
    if (t.t !== "newline") fail(t.line, `expected the end of the line but found ${describe(t)}`);
  };

  const block = (): PyStmt[] => {
    const colon = expectOp(":");
    if (peek().t !== "newline") {
      // A one-line block: `if x: return`.
      const s = simple();
      endOfLine();
      return [s];
    }
    take();
    if (peek().t !== "indent") fail(colon.line + 1, "expected an indented block");
    take();
    const body: PyStmt[] = [];
    while (peek().t !== "dedent" && peek().t !== "end") body.push(statement());
    if (peek().t === "dedent") take();
    return body;
  };

  const dotted = (): string => {
    let name = expectName().v;
    while (isOp(".")) (take(), (name += "." + expectName().v));
    return name;
  };
  const checkModule = (module: string, line: number) => {
    if (!ALLOWED_MODULES.includes(module.split(".")[0])) {
      unsupported(
        line,
        `importing \`${module}\` (only backtrader, datetime, math and pandas may be imported)`,
      );
    }
  };

  const simple = (): PyStmt => {
    const t = peek();
    if (t.t === "name") {
      if (t.v in UNSUPPORTED_KEYWORDS && KEYWORDS.has(t.v)) unsupported(t.line, UNSUPPORTED_KEYWORDS[t.v]);
      if (t.v === "pass") return (take(), { k: "pass", line: t.line });
      if (t.v === "return") {
        take();
        return { k: "return", value: peek().t === "newline" ? null : exprList(), line: t.line };
      }
      if (t.v === "import") {
        take();
        const names: { name: string; as: string | null }[] = [];
        do {
          const name = dotted();
          checkModule(name, t.line);
          names.push({ name, as: isName("as") ? (take(), expectName().v) : null });
        } while (isOp(",") && take());
        return { k: "import", names, line: t.line };
      }
      if (t.v === "from") {
        take();
        if (isOp(".") || isOp("...")) unsupported(t.line, "relative imports");
        const module = dotted();
        checkModule(module, t.line);
        if (!isName("import")) fail(peek().line, 'expected "import"');
        take();
        if (isOp("*")) unsupported(t.line, "`import *`");
        const paren = isOp("(") ? (take(), true) : false;
        const names: { name: string; as: string | null }[] = [];
        do {
          if (paren && isOp(")")) break;
          const name = expectName().v;
          names.push({ name, as: isName("as") ? (take(), expectName().v) : null });
        } while (isOp(",") && take());
        if (paren) expectOp(")");
        return { k: "from", module, names, line: t.line };
      }
    }
    const first = exprList();
    if (isOp("=")) {
      const targets = [first];
      let value = first;
      while (isOp("=")) {
        take();
        value = exprList();
        targets.push(value);
      }
      targets.pop();
      for (const target of targets) checkTarget(target);
      return { k: "assign", targets, value, line: t.line };
    }
    if (peek().t === "op" && /^[-+*/%&|^]=$|^(\*\*|\/\/|<<|>>)=$/.test(peek().v)) {
      const op = take().v.slice(0, -1);
      checkTarget(first);
      if (first.k === "tuple") fail(t.line, "augmented assignment to a tuple");
      return { k: "augassign", target: first, op, value: exprList(), line: t.line };
    }
    if (isOp(":")) unsupported(t.line, "annotated assignments");
    return { k: "expr", value: first, line: t.line };
  };

  const checkTarget = (e: PyExpr) => {
    if (e.k === "tuple" || e.k === "list") return e.items.forEach(checkTarget);
    if (e.k === "name" || e.k === "attr" || e.k === "sub") return;
    fail(e.line, "this cannot be assigned to");
  };

  const ifStatement = (): PyStmt => {
    const t = take(); // if / elif
    const test = expr();
    const body = block();
    let orelse: PyStmt[] = [];
    if (isName("elif")) orelse = [ifStatement()];
    else if (isName("else")) {
      take();
      orelse = block();
    }
    return { k: "if", test, body, orelse, line: t.line };
  };

  const statement = (): PyStmt => {
    const t = peek();
    if (t.t === "indent") fail(t.line, "unexpected indentation");
    if (t.t === "op" && t.v === "@") unsupported(t.line, "decorators");
    if (t.t === "name") {
      if (t.v === "if") return ifStatement();
      if (t.v === "elif" || t.v === "else") fail(t.line, `"${t.v}" without an "if"`);
      if (t.v === "for") {
        take();
        const first = postfix();
        const items = [first];
        while (isOp(",")) (take(), items.push(postfix()));
        const target: PyExpr = items.length === 1 ? first : { k: "tuple", items, line: first.line };
        checkTarget(target);
        if (!isName("in")) fail(t.line, 'expected "in"');
        take();
        const iter = expr();
        const body = block();
        if (isName("else")) unsupported(peek().line, "`for … else`");
        return { k: "for", target, iter, body, line: t.line };
      }
      if (t.v === "class") {
        take();
        const name = expectName().v;
        let bases: PyExpr[] = [];
        if (isOp("(")) {
          take();
          bases = sequence(")", t.line).items;
        }
        return { k: "class", name, bases, body: block(), line: t.line };
      }
      if (t.v === "def") {
        take();
        const name = expectName().v;
        expectOp("(");
        const params: { name: string; default: PyExpr | null }[] = [];
        while (!isOp(")")) {
          if (isOp("*") || isOp("**")) unsupported(peek().line, "star arguments (`*args`, `**kwargs`)");
          if (isOp("/")) unsupported(peek().line, "positional-only markers");
          const pn = expectName().v;
          if (isOp(":")) unsupported(t.line, "type annotations");
          params.push({ name: pn, default: isOp("=") ? (take(), expr()) : null });
          if (!isOp(",")) break;
          take();
        }
        expectOp(")");
        if (isOp("->")) unsupported(t.line, "return annotations");
        return { k: "def", name, params, body: block(), line: t.line };
      }
    }
    const s = simple();
    endOfLine();
    return s;
  };

  const body: PyStmt[] = [];
  while (peek().t !== "end") {
    if (peek().t === "newline") {
      take();
      continue;
    }
    if (peek().t === "dedent") fail(peek().line, "unexpected end of a block");
    body.push(statement());
  }
  return { body, comments };
}
