/**
 * Replays the README's walkthroughs as a new user would, against a real server on 127.0.0.1 built by the
 * production wiring (`openHouse` + `serveHttp`, the embedded defaults, mail printed to the log), on several
 * "todays" driven by a fixed clock: the day the tests run, a trading day after the 09:15 deadline, and a Friday
 * night past the calendar's official horizon.
 *
 * Tests may start only the deno binary, so the shell blocks are not run by a shell: this file interprets the
 * small subset of shell they are written in (variables, `$(…)`, quotes, `\` continuations, pipes) and the
 * commands they use — `curl` (each option it meets must be known, each request is sent with `fetch`), `sed -E`
 * / `sed -nE … FILE` (the same regular expression in JavaScript), `echo`, `tail -1`, `TZ=… date +%F` (the fixed
 * clock's date), `npx … task dev` (checked against the server started here) and `npx … task verify` (the
 * verifier's own function). A command outside this subset fails the test, so does a curl answering ≥ 400 when
 * its `# →` note gives no status, and a note's field that the answer lacks or a value it does not match.
 *
 * Blocks are fenced as `sh walkthrough` (run in order, sharing variables), `sh walkthrough settled` (run with
 * the clock moved to 18:30 Asia/Shanghai on `$DAY`) and `json walkthrough-spec` (a spec, run through
 * `POST /api/v1/backtests/run`).
 */
import assert from "node:assert/strict";
import { openHouse, serveHttp } from "../app/house.ts";
import { fixedClock } from "../domain/clock.ts";
import { parseConfig } from "../domain/config.ts";
import { verifyRecord } from "../scripts/verify_record.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// The README's blocks.

interface Block {
  kind: "sh" | "spec";
  phase: string;
  text: string;
  line: number;
}

/** Every fenced block whose info string says `walkthrough` (or `walkthrough-spec`), in order. */
function walkthroughBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\w+) (walkthrough(?:-spec)?)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) {
    out.push({
      kind: m[2] === "walkthrough-spec" ? "spec" : "sh",
      phase: m[3].trim(),
      text: m[4],
      line: markdown.slice(0, m.index).split("\n").length,
    });
  }
  return out;
}

/** A command line with its `# →` note (on the same line or the comment lines right after it). */
interface Command {
  text: string;
  note: string | null;
  /** Line of the command within its block (0 = the block's first line). */
  offset: number;
}

/** Splits `text` at the first `#` that starts a word outside quotes: [code, comment or null]. */
function splitComment(text: string): [string, string | null] {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      return [text.slice(0, i).trimEnd(), text.slice(i + 1)];
    }
  }
  return [text, null];
}

/** The block's commands: continuation lines joined, comments dropped, `# →` notes attached. */
function commands(block: string): Command[] {
  const out: Command[] = [];
  const lines = block.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const offset = i;
    let line = lines[i];
    while (line.endsWith("\\") && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i].trim();
    const [code, comment] = splitComment(line);
    const note = comment !== null && comment.trim().startsWith("→") ? comment.trim().slice(1).trim() : null;
    if (code.trim() === "") {
      if (note !== null) {
        const last = out[out.length - 1];
        assert.ok(last && last.note === null, `a "# →" note with no command before it: ${line}`);
        last.note = note;
      }
      continue;
    }
    out.push({ text: code.trim(), note, offset });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// What a `# →` note promises: an optional HTTP status, then a template of the JSON answer.

type Template =
  | { kind: "object"; entries: { key: string; value: Template | null }[] }
  | { kind: "array"; first: Template }
  | { kind: "string"; text: string; prefix: boolean }
  | { kind: "literal"; value: number | boolean | null };

/**
 * Parses a note's template (`{"a", "b": "x…", "c": {"d": 1, …}, "e": [{"f", …}], …}`: keys that must be there,
 * values they must have, `…` for more; a string ending in `…` is a prefix; `[t]` is an array whose first item
 * matches `t`); throws on anything else.
 */
function parseTemplate(src: string): Template {
  let i = 0;
  const ws = () => {
    while (/\s/.test(src[i] ?? "")) i++;
  };
  const str = (): string => {
    assert.equal(src[i], '"', `expected a string at ${i} in ${src}`);
    const end = src.indexOf('"', i + 1);
    assert.ok(end > 0, `unterminated string in ${src}`);
    const s = src.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): Template => {
    ws();
    if (src[i] === "{") return object();
    if (src[i] === "[") {
      i++;
      ws();
      const first = value();
      ws();
      assert.equal(src[i], "]", `expected ] at ${i} in ${src}`);
      i++;
      return { kind: "array", first };
    }
    if (src[i] === '"') {
      const s = str();
      return s.endsWith("…")
        ? { kind: "string", text: s.slice(0, -1), prefix: true }
        : { kind: "string", text: s, prefix: false };
    }
    const m = /^(-?\d+(?:\.\d+)?|true|false|null)/.exec(src.slice(i));
    assert.ok(m, `unreadable value at ${i} in ${src}`);
    i += m[0].length;
    return { kind: "literal", value: JSON.parse(m[0]) };
  };
  const object = (): Template => {
    assert.equal(src[i], "{");
    i++;
    const entries: { key: string; value: Template | null }[] = [];
    for (;;) {
      ws();
      if (src[i] === "}") {
        i++;
        return { kind: "object", entries };
      }
      if (src[i] === "…") i++;
      else {
        const key = str();
        ws();
        let v: Template | null = null;
        if (src[i] === ":") {
          i++;
          v = value();
        }
        entries.push({ key, value: v });
      }
      ws();
      if (src[i] === ",") i++;
      else assert.equal(src[i], "}", `expected , or } at ${i} in ${src}`);
    }
  };
  ws();
  const t = object();
  ws();
  assert.equal(i, src.length, `text after the template in ${src}`);
  return t;
}

/** Checks `actual` against `t` (variables in strings expanded); returns the first mismatch or null. */
function mismatch(t: Template, actual: unknown, at: string, vars: Map<string, string>): string | null {
  if (t.kind === "object") {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) {
      return `${at} is not an object`;
    }
    for (const { key, value } of t.entries) {
      if (!(key in actual)) return `${at}.${key} is missing`;
      if (value) {
        const m = mismatch(value, (actual as Record<string, unknown>)[key], `${at}.${key}`, vars);
        if (m) return m;
      }
    }
    return null;
  }
  if (t.kind === "array") {
    if (!Array.isArray(actual) || actual.length === 0) return `${at} is not a non-empty array`;
    return mismatch(t.first, actual[0], `${at}[0]`, vars);
  }
  if (t.kind === "string") {
    const want = t.text.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, n) => vars.get(n) ?? "");
    if (typeof actual !== "string") return `${at} is not a string`;
    return (t.prefix ? actual.startsWith(want) : actual === want)
      ? null
      : `${at} is ${JSON.stringify(actual)}`;
  }
  return actual === t.value ? null : `${at} is ${JSON.stringify(actual)}, not ${JSON.stringify(t.value)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The shell subset.

interface Shell {
  vars: Map<string, string>;
  /** Files the walkthrough reads (the server log). */
  files: Map<string, () => string>;
  /** `localhost:8000` as the reader types it → the test server's address. */
  base: string;
  /** Today's date in a time zone, by the test's clock. */
  dateIn(tz: string): string;
  /** Every request sent, for the test's own checks. */
  requests: { method: string; path: string; status: number; body: string }[];
  /** The note of the command being run (applies to its first curl). */
  note: string | null;
  /** The server's start line seen in the README (environment and log file). */
  started: { env: Record<string, string>; log: string } | null;
}

/** Splits `text` at `sep` outside quotes and `$(…)`. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "\\") i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === "$" && text[i + 1] === "(") {
      depth++;
      i++;
    } else if (c === ")" && depth > 0) depth--;
    else if (depth === 0 && text.startsWith(sep, i) && (sep !== "|" || text[i + 1] !== "|")) {
      parts.push(text.slice(start, i));
      start = i + sep.length;
    }
  }
  assert.equal(quote, null, `unclosed quote in: ${text}`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** The end of the `$(…)` whose `(` is at `open`. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  throw new Error(`unclosed $( in: ${text}`);
}

/** Shell words of `text`, with quotes removed and `$VAR`, `${VAR}`, `$(…)` expanded. */
async function words(sh: Shell, text: string): Promise<string[]> {
  const out: string[] = [];
  let cur: string | null = null;
  let i = 0;
  const add = (s: string) => (cur = (cur ?? "") + s);
  const dollar = async (): Promise<string> => {
    // text[i] === "$"
    if (text[i + 1] === "(") {
      const end = closeParen(text, i + 1);
      const inner = text.slice(i + 2, end);
      i = end + 1;
      return (await pipeline(sh, inner, "")).replace(/\n+$/, "");
    }
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (!m) {
      i++;
      return "$";
    }
    i += m[0].length;
    const name = m[1] ?? m[2];
    assert.ok(sh.vars.has(name), `$${name} is used before it is set`);
    return sh.vars.get(name)!;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (cur !== null) out.push(cur);
      cur = null;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      assert.ok(end > 0, `unclosed ' in: ${text}`);
      add(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i++;
      add("");
      while (text[i] !== '"') {
        assert.ok(i < text.length, `unclosed " in: ${text}`);
        if (text[i] === "\\" && /["\\$`]/.test(text[i + 1])) {
          add(text[i + 1]);
          i += 2;
        } else if (text[i] === "$") add(await dollar());
        else add(text[i++]);
      }
      i++;
    } else if (c === "\\") {
      add(text[i + 1]);
      i += 2;
    } else if (c === "$") add(await dollar());
    else add(text[i++]);
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** Runs `a | b | …` with `input` as the first command's standard input; returns the last one's output. */
async function pipeline(sh: Shell, text: string, input: string): Promise<string> {
  let data = input;
  for (const part of splitTop(text, "|")) data = await command(sh, part, data);
  return data;
}

/** One command of a pipeline. */
async function command(sh: Shell, text: string, stdin: string): Promise<string> {
  const env: Record<string, string> = {};
  let w = await words(sh, text);
  while (w.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) {
    const [k, ...v] = w[0].split("=");
    env[k] = v.join("=");
    w = w.slice(1);
  }
  const [name, ...args] = w;
  switch (name) {
    case "curl":
      return await curl(sh, args);
    case "sed":
      return sed(sh, args, stdin);
    case "echo":
      return args.join(" ") + "\n";
    case "tail": {
      assert.deepEqual(args, ["-1"], `unsupported tail ${args.join(" ")}`);
      const lines = stdin.replace(/\n$/, "").split("\n");
      return (lines[lines.length - 1] ?? "") + "\n";
    }
    case "date":
      assert.deepEqual(args, ["+%F"], `unsupported date ${args.join(" ")}`);
      assert.ok(env.TZ, "date without TZ= depends on the reader's time zone");
      return sh.dateIn(env.TZ) + "\n";
    case "npx":
      return await npx(sh, args, env);
    default:
      throw new Error(`the walkthrough uses a command this test does not know: ${text}`);
  }
}

/** `sed -E 's/RE/REPLACEMENT/'` on standard input, or `sed -nE 's/RE/REPLACEMENT/p' FILE`. */
function sed(sh: Shell, args: string[], stdin: string): string {
  const quiet = args[0] === "-nE";
  assert.ok(args[0] === "-E" || quiet, `unsupported sed options ${args[0]}`);
  const m = /^s\/((?:[^/\\]|\\.)*)\/((?:[^/\\]|\\.)*)\/(p?)$/.exec(args[1] ?? "");
  assert.ok(m, `unsupported sed script ${args[1]}`);
  assert.equal(m[3] === "p", quiet, "sed -n goes with the p flag");
  let text = stdin;
  if (args[2] !== undefined) {
    const file = sh.files.get(args[2]);
    assert.ok(file, `sed reads ${args[2]}, which the walkthrough never wrote`);
    text = file();
  }
  assert.equal(args.length, args[2] === undefined ? 2 : 3, `unsupported sed arguments ${args.join(" ")}`);
  const re = new RegExp(m[1]);
  const replacement = m[2].replace(/\\(\d)/g, "$$$1");
  const out: string[] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    if (re.test(line)) out.push(line.replace(re, replacement));
    else if (!quiet) out.push(line);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** `curl [-s] [-sf] [-X METHOD] [-H 'k: v']… [-d BODY] URL`, sent with fetch. */
async function curl(sh: Shell, args: string[]): Promise<string> {
  let method: string | null = null;
  let body: string | null = null;
  let url: string | null = null;
  const headers = new Headers();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // -f (fail on an HTTP error) changes nothing here: every answer must be 2xx unless a note says otherwise.
    if (a === "-s" || a === "-sf") continue;
    if (a === "-X") method = args[++i];
    else if (a === "-H") {
      const [k, ...v] = args[++i].split(":");
      headers.set(k.trim(), v.join(":").trim());
    } else if (a === "-d") {
      body = args[++i];
      if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
    } else if (!a.startsWith("-") && url === null) url = a;
    else throw new Error(`unsupported curl argument ${a}`);
  }
  assert.ok(url, "curl without a URL");
  assert.ok(url.startsWith("localhost:8000/"), `the walkthrough talks to ${url}, not to localhost:8000`);
  method ??= body === null ? "GET" : "POST";
  const res = await fetch(`${sh.base}/${url.slice("localhost:8000/".length)}`, {
    method,
    headers,
    body,
    redirect: "manual",
  });
  const text = await res.text();
  const path = url.slice("localhost:8000".length);
  sh.requests.push({ method, path, status: res.status, body: text });
  const note = sh.note;
  sh.note = null; // a note belongs to the first request of its line
  const status = note ? /^(\d{3})\b/.exec(note)?.[1] : undefined;
  const where = `${method} ${path}`;
  if (status) assert.equal(res.status, Number(status), `${where}: ${text}`);
  else assert.ok(res.status < 300, `${where} answered ${res.status}: ${text}`);
  const template = note?.replace(/^\d{3}\s*/, "");
  if (template?.startsWith("{")) {
    const m = mismatch(parseTemplate(template), JSON.parse(text), "answer", sh.vars);
    assert.equal(m, null, `${where}: the README's note says ${template}\n but ${m}\nanswer: ${text}`);
  }
  return text;
}

/** `npx -y deno@2.9.6 task dev|verify …`. */
async function npx(sh: Shell, args: string[], env: Record<string, string>): Promise<string> {
  assert.deepEqual(args.slice(0, 3), ["-y", "deno@2.9.6", "task"], `unsupported npx ${args.join(" ")}`);
  const [task, ...rest] = args.slice(3);
  if (task === "verify") {
    assert.equal(rest.length, 2, "task verify <base-url> <slug>");
    assert.equal(rest[0], "http://localhost:8000");
    const v = await verifyRecord(sh.base, rest[1], fetch);
    const line = `${v.ok ? "VERIFIED" : "NOT VERIFIED"}: ${rest[1]}, ${v.days.length} settled days, ` +
      `${v.days.filter((d) => d.failures.length > 0).length} failing`;
    if (sh.note) assert.ok(sh.note.startsWith(line), `the README says "${sh.note}", the verifier "${line}"`);
    sh.note = null;
    assert.ok(v.ok, `${line}: ${JSON.stringify([v.failures, v.days.flatMap((d) => d.failures)])}`);
    return line + "\n";
  }
  throw new Error(`unsupported task ${task} ${JSON.stringify(env)}`);
}

/** Runs one command line of a block. */
async function runLine(sh: Shell, cmd: Command): Promise<void> {
  sh.note = cmd.note;
  const text = cmd.text;
  // The server start: in the README it runs in the background with its log in a file.
  const start = /^((?:[A-Z_]+=\S+\s+)*)npx -y deno@2\.9\.6 task dev > (\S+) 2>&1 &$/.exec(text);
  if (start) {
    const env = Object.fromEntries(start[1].trim().split(/\s+/).filter(Boolean).map((kv) => kv.split("=")));
    sh.started = { env, log: start[2] };
    return;
  }
  const wait = /^until curl -sf (\S+) > \/dev\/null; do sleep 1; done$/.exec(text);
  if (wait) {
    await curl(sh, ["-sf", wait[1]]);
    return;
  }
  const assign = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(text);
  if (assign) {
    const value = await words(sh, assign[2]);
    assert.ok(value.length <= 1, `an assignment of several words: ${text}`);
    sh.vars.set(assign[1], value[0] ?? "");
  } else {
    assert.equal(splitTop(text, ";").length, 1, `unsupported shell line: ${text}`);
    await pipeline(sh, text, "");
  }
  assert.equal(sh.note, null, `a "# →" note on a line without a request: ${text}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The server and the replay.

const BLOCKS = walkthroughBlocks(README);
const ENV_OF_START = (() => {
  const m = /^((?:[A-Z_]+=\S+\s+)*)npx -y deno@2\.9\.6 task dev > server\.log 2>&1 &$/m.exec(README);
  assert.ok(m, "the first session starts the server in the background with its log in server.log");
  return Object.fromEntries(m[1].trim().split(/\s+/).filter(Boolean).map((kv) => kv.split("=")));
})();

/** Starts the server of `task dev` (development defaults, the README's environment) at `t0`, replays every block. */
async function replay(
  t0: number,
  extra?: (sh: Shell, clock: ReturnType<typeof fixedClock>) => Promise<void>,
) {
  const clock = fixedClock(t0);
  const log: string[] = [];
  const dir = await Deno.makeTempDir({ prefix: "readme_walkthrough_" });
  const config = parseConfig({
    ...ENV_OF_START,
    DENO_ENV: "development",
    KV_PATH: `${dir}/kv.sqlite`,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_REQUESTS: "false",
  });
  // The development mailer prints each mail with console.log: that is the server log the reader reads.
  const consoleLog = console.log;
  console.log = (...a: unknown[]) => void log.push(a.map(String).join(" "));
  const house = await openHouse(
    config,
    clock,
    (level, msg, fields) => log.push(JSON.stringify({ level, msg, ...fields })),
  );
  const server = serveHttp(house, clock, () => {});
  try {
    const sh: Shell = {
      vars: new Map(),
      files: new Map([["server.log", () => log.join("\n") + "\n"]]),
      base: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
      dateIn: (tz) => new Intl.DateTimeFormat("en-CA", { timeZone: tz }).format(clock.now()),
      requests: [],
      note: null,
      started: null,
    };
    for (const block of BLOCKS) {
      const where = `README.md line ${block.line}`;
      if (block.kind === "spec") {
        const spec = JSON.parse(block.text);
        await curl(sh, [
          "-s",
          "-H",
          `authorization: Bearer ${sh.vars.get("TOKEN")}`,
          "-H",
          "content-type: application/json",
          "-d",
          JSON.stringify({ spec }),
          "localhost:8000/api/v1/backtests/run",
        ]);
        continue;
      }
      if (block.phase === "settled") {
        const day = sh.vars.get("DAY");
        assert.ok(day, `${where}: the settled block needs $DAY`);
        clock.set(Date.parse(`${day}T18:30:00+08:00`));
      } else assert.equal(block.phase, "", `${where}: unknown walkthrough phase "${block.phase}"`);
      for (const cmd of commands(block.text)) {
        try {
          await runLine(sh, cmd);
        } catch (e) {
          throw new Error(
            `README.md line ${block.line + 1 + cmd.offset}: ${cmd.text}\n${
              e instanceof Error ? e.message : e
            }`,
          );
        }
      }
    }
    assert.ok(sh.started, "the walkthrough starts the server");
    await extra?.(sh, clock);
    return sh;
  } finally {
    console.log = consoleLog;
    await server.shutdown();
    house.close();
    house.services.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the README marks its walkthroughs: the first session, the backtest and library calls, the daily loop", () => {
  const sh = BLOCKS.filter((b) => b.kind === "sh");
  assert.ok(sh.length >= 4, `only ${sh.length} sh walkthrough blocks`);
  assert.equal(BLOCKS.filter((b) => b.kind === "spec").length, 1);
  assert.equal(BLOCKS.filter((b) => b.phase === "settled").length, 1);
  const all = sh.map((b) => b.text).join("\n");
  for (
    const path of [
      "/auth/verify-otp",
      "/backtests/run",
      "/library/$ID/strategy.txt",
      "/signals",
      "/verify?date=$DAY",
    ]
  ) {
    assert.ok(all.includes(path), `no walkthrough calls ${path}`);
  }
  assert.ok(!/20\d\d-\d\d-\d\d/.test(all.replace(/WELCOME-2026/g, "")), "a walkthrough names a fixed date");
});

Deno.test("the README walkthroughs run as written today (the day the tests run)", async () => {
  const sh = await replay(Date.now());
  assert.ok(sh.requests.length >= 15);
});

Deno.test("the README walkthroughs run on a trading day after the deadline, and say what a late signal gets", async () => {
  // Monday 2026-12-07, 10:00 Asia/Shanghai: today's deadline (09:15) has passed, the next trading day is open.
  await replay(Date.parse("2026-12-07T10:00:00+08:00"), async (sh) => {
    assert.equal(sh.vars.get("DAY"), "2026-12-08");
    // The clock is now 18:30 on 2026-12-08 (the settled block): a signal for today is late.
    const call = (path: string, body: unknown) =>
      fetch(`${sh.base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${sh.vars.get("ADMIN")}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await call("/api/v1/strategies", { name: "Late", slug: "late-check", universe: "hs300" });
    assert.equal(created.status, 201, await created.clone().text());
    await created.body?.cancel();
    const late = await call("/api/v1/strategies/late-check/signals", {
      trade_date: "2026-12-08",
      signals: [],
    });
    assert.equal(late.status, 400);
    const detail = (await late.json()).detail as string;
    // The README quotes this answer for 2026-12-07; the same words for any day.
    const quoted = /`\{"detail": "(Signal deadline passed: signals for 2026-12-07 [^"]+)"\}`/.exec(README);
    assert.ok(quoted, "the README quotes the late-signal answer");
    assert.equal(detail, quoted[1].replaceAll("2026-12-07", "2026-12-08"));
  });
});

Deno.test("the README walkthroughs run on a Friday night past the calendar's official horizon", async () => {
  // Friday 2027-03-12, 23:30 Asia/Shanghai: the SSE calendar of 2027 is an estimate (provisional), the next
  // trading day is Monday, and settlement comes more than 24 hours after sign-in (the access tokens expired).
  const sh = await replay(Date.parse("2027-03-12T23:30:00+08:00"));
  assert.equal(sh.vars.get("DAY"), "2027-03-15");
  const signal = sh.requests.find((r) => r.path.endsWith("/signals"))!;
  assert.equal(JSON.parse(signal.body).provisional, true);
});
