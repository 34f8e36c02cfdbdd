/**
 * `deno task loadtest`: the issue's load table, re-measured. Seeds a temporary KV with the demo (the real replay,
 * as `deno task demo` runs it) and an API key of the demo account, and a copy of it with `--strategies` more
 * public strategies; starts the reference server (a bare Hono JSON route; a bare Hono route answering one KV value
 * holding the demo's 120-row track record) and the app (`deno run main.ts` in `--app-dir`, quiet log), each
 * pinned to core 0 with `taskset` when present; drives every row with `wrk -t1 -c32 -d<seconds>s` pinned to core
 * 1 (or the Deno fallback generator with the same connections when wrk is absent), and prints the table: req/s,
 * p50, p99, the ratio to the KV-read reference and the verdict against the issue's targets.
 *
 *   deno task loadtest [--seconds 10] [--rows id,id,…] [--json] [--strategies 1000] [--days 120]
 *                      [--connections 32] [--app-dir .] [--port 8860] [--generator auto|wrk|deno] [--no-pin]
 *                      [--keep]
 *
 * `--app-dir` measures another checkout (e.g. a worktree of an older commit): it seeds with that checkout's own
 * code and runs its main.ts. Temporary files go under `.tmp/loadtest/` and are removed unless `--keep`.
 */
import { canPin, drive, type Generator, pickGenerator } from "./loadtest/wrk.ts";
import { type RowContext, type RowServer, type RowSpec, selectRows } from "./loadtest/rows.ts";
import { type FirstAnswer, judge, type RowResult, table } from "./loadtest/report.ts";
import { type Server, startApp, startReference } from "./loadtest/processes.ts";
import type { SeedInfo } from "./loadtest/seed.ts";

interface Options {
  seconds: number;
  rows: string[] | null;
  json: boolean;
  strategies: number;
  days: number;
  connections: number;
  appDir: string;
  port: number;
  generator: "auto" | "wrk" | "deno";
  pin: boolean;
  keep: boolean;
}

const USAGE = "usage: deno task loadtest [--seconds N] [--rows id,id] [--json] [--strategies N] [--days N] " +
  "[--connections N] [--app-dir DIR] [--port N] [--generator auto|wrk|deno] [--no-pin] [--keep]";

/** Parses the command line; throws with the usage on anything unknown or out of range. */
function parseArgs(args: string[]): Options {
  const o: Options = {
    seconds: 10,
    rows: null,
    json: false,
    strategies: 1000,
    days: 120,
    connections: 32,
    appDir: ".",
    port: 8860,
    generator: "auto",
    pin: true,
    keep: false,
  };
  const int = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: ${min}..${max}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") o.json = true;
    else if (a === "--no-pin") o.pin = false;
    else if (a === "--keep") o.keep = true;
    else if (a === "--seconds") o.seconds = int(a, args[++i], 1, 600);
    else if (a === "--strategies") o.strategies = int(a, args[++i], 0, 5000);
    else if (a === "--days") o.days = int(a, args[++i], 3, 250);
    else if (a === "--connections") o.connections = int(a, args[++i], 1, 1024);
    else if (a === "--port") o.port = int(a, args[++i], 1024, 65_000);
    else if (a === "--rows") o.rows = (args[++i] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    else if (a === "--app-dir" && args[i + 1]) o.appDir = args[++i];
    else if (a === "--generator" && ["auto", "wrk", "deno"].includes(args[i + 1])) {
      o.generator = args[++i] as Options["generator"];
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return o;
}

const opts = parseArgs(Deno.args);
const say = (line: string) => console.error(line);
const appDir = opts.appDir.startsWith("/") ? opts.appDir : `${Deno.cwd()}/${opts.appDir}`;
const rows = selectRows(opts.rows, opts.strategies);
const tmp = `${Deno.cwd()}/.tmp/loadtest/run-${Date.now()}`;
await Deno.mkdir(tmp, { recursive: true });

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Runs the seeder with the app's own deno.json and code; returns its last output line. */
async function seed(mode: "demo" | "strategies", kvPath: string, arg: string, extra: string[] = []) {
  const out = await run("deno", [
    "run",
    `--config=${appDir}/deno.json`,
    "--allow-read",
    `--allow-write=${tmp}`,
    "--allow-env",
    "--allow-net=127.0.0.1",
    "--allow-sys",
    new URL("./loadtest/seed.ts", import.meta.url).pathname,
    appDir,
    mode,
    kvPath,
    arg,
    ...extra,
  ]);
  return out.trim().split("\n").at(-1)!;
}

async function copyKv(from: string, to: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      await Deno.copyFile(from + suffix, to + suffix);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}

/** The row's first answer as a client without `Accept-Encoding` (or with the row's) sees it. */
async function firstAnswer(
  url: string,
  headers: Record<string, string>,
): Promise<FirstAnswer & { body: string }> {
  const res = await fetch(url, { headers: { "accept-encoding": "identity", ...headers } });
  const body = await res.text();
  const length = res.headers.get("content-length");
  return {
    status: res.status,
    bytes: length !== null ? Number(length) : new TextEncoder().encode(body).length,
    encoding: res.headers.get("content-encoding"),
    etag: res.headers.get("etag"),
    body,
  };
}

async function rowHeaders(row: RowSpec, base: string, apiKey: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (row.auth) headers["authorization"] = `Bearer ${apiKey}`;
  if (row.encoding) headers["accept-encoding"] = row.encoding;
  if (row.conditional) {
    const { etag } = await firstAnswer(base + row.path(ctx), headers);
    if (etag) headers["if-none-match"] = etag;
  }
  return headers;
}

interface Measured {
  row: RowSpec;
  answer: FirstAnswer;
  load: Awaited<ReturnType<typeof drive>>;
}

async function measure(server: Server, list: RowSpec[], gen: Generator, apiKey: string): Promise<Measured[]> {
  const out: Measured[] = [];
  for (const row of list) {
    const url = server.base + row.path(ctx);
    const headers = await rowHeaders(row, server.base, apiKey);
    const { body: _body, ...answer } = await firstAnswer(url, headers);
    for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).body?.cancel();
    // A second of the same load first warms the route (the JIT, the caches in front of KV), so the row measures
    // the steady state; skipped in short smoke runs.
    if (opts.seconds >= 3) await drive(gen, url, { connections: opts.connections, seconds: 1, headers });
    say(`  ${row.id}: ${answer.status}${answer.encoding ? ` ${answer.encoding}` : ""} …`);
    const load = await drive(gen, url, { connections: opts.connections, seconds: opts.seconds, headers });
    say(`  ${row.id}: ${Math.round(load.rps)} req/s, p50 ${load.p50_ms} ms, p99 ${load.p99_ms} ms`);
    out.push({ row, answer, load });
  }
  return out;
}

const pin = opts.pin && await canPin();
const gen = await pickGenerator(opts.generator, pin);
let commit: string | null = null;
try {
  commit = (await run("git", ["rev-parse", "--short", "HEAD"], appDir)).trim();
} catch { /* not a git checkout */ }
say(
  `loadtest: ${appDir}${commit ? ` @ ${commit}` : ""}; generator ${gen.kind}` +
    `${
      pin ? " (servers on core 0, generator on core 1)" : " (not pinned)"
    }, ${opts.connections} connections, ` +
    `${opts.seconds} s per row`,
);

const on = (s: RowServer) => rows.filter((r) => r.server === s);
const kvA = `${tmp}/demo.sqlite`;
const kvB = `${tmp}/demo_plus.sqlite`;
say(`seeding the demo (${opts.days} days) …`);
const info = JSON.parse(await seed("demo", kvA, String(opts.days))) as SeedInfo;
const ctx: RowContext = { ...info, days: opts.days, strategies: opts.strategies };
if (on("app1000").length > 0) {
  say(`seeding ${opts.strategies} more public strategies …`);
  await copyKv(kvA, kvB);
  await seed("strategies", kvB, String(opts.strategies), [info.last_day]);
}

const measured: Measured[] = [];
/** The public list's `total` with the extra strategies (checks that the seeding shows in the list). */
let listTotal: number | null = null;
const servers: Server[] = [];
try {
  say("the app (demo) …");
  const app = await startApp(appDir, kvA, opts.port, { pin, logFile: `${tmp}/app.log` });
  servers.push(app);
  const record = await firstAnswer(`${app.base}/api/v1/public/strategies/demo-reversal/track-record`, {});
  if (record.status !== 200) throw new Error(`the app answered ${record.status} for the demo's track record`);
  await Deno.writeTextFile(`${tmp}/record.json`, record.body);
  measured.push(...await measure(app, on("app"), gen, info.api_key));
  await app.stop();
  servers.pop();

  if (on("reference").length > 0) {
    say("the reference server …");
    const ref = await startReference(`${tmp}/reference.sqlite`, `${tmp}/record.json`, opts.port + 2, {
      pin,
      logFile: `${tmp}/reference.log`,
    });
    servers.push(ref);
    measured.push(...await measure(ref, on("reference"), gen, info.api_key));
    await ref.stop();
    servers.pop();
  }

  if (on("app1000").length > 0) {
    say(`the app (demo + ${opts.strategies} strategies) …`);
    const big = await startApp(appDir, kvB, opts.port + 1, { pin, logFile: `${tmp}/app1000.log` });
    servers.push(big);
    const list = JSON.parse((await firstAnswer(`${big.base}/api/v1/public/strategies`, {})).body) as {
      total?: number;
    };
    listTotal = list.total ?? null;
    if (listTotal !== opts.strategies + 3) {
      say(`  warning: the public list counts ${listTotal} strategies, not ${opts.strategies + 3}`);
    }
    measured.push(...await measure(big, on("app1000"), gen, info.api_key));
    await big.stop();
    servers.pop();
  }
} finally {
  for (const s of servers) await s.stop();
  if (!opts.keep) await Deno.remove(tmp, { recursive: true }).catch(() => {});
}

const kvRps = measured.find((m) => m.row.id === "ref-kv")?.load.rps ?? null;
const results: RowResult[] = rows.flatMap((row) => {
  const m = measured.find((x) => x.row === row);
  if (!m) return [];
  const expected = row.conditional ? 304 : 200;
  return [{
    id: row.id,
    label: row.label(ctx),
    kind: row.kind,
    answer: m.answer,
    expected_status: expected,
    ...m.load,
    ...judge(row.kind, m.load, m.answer, expected, kvRps),
  }];
});

if (opts.json) {
  console.log(JSON.stringify(
    {
      app_dir: appDir,
      commit,
      generator: gen.kind,
      pinned: pin,
      connections: opts.connections,
      seconds: opts.seconds,
      days: opts.days,
      strategies: opts.strategies,
      list_total: listTotal,
      rows: results,
    },
    null,
    2,
  ));
} else {
  console.log(
    `\n${commit ? `commit ${commit}, ` : ""}${gen.kind === "wrk" ? "wrk" : "Deno fallback generator"} ` +
      `-c${opts.connections} for ${opts.seconds} s per row${
        pin ? ", servers pinned to core 0, load to core 1" : ""
      }` +
      `; targets: public reads ≥ 50% of the KV read and p99 < 20 ms, /health ≥ 5,000 req/s and p99 < 10 ms\n`,
  );
  console.log(table(results));
}
