/**
 * `deno task loadtest`, briefly: a few rows for one second each on a 5-day demo with the Deno fallback generator
 * (no wrk needed), unpinned; the JSON it prints parses, and the app's rows answered what they should. Also the
 * wrk output parser, the verdicts and the table on fixed input.
 */
import assert from "node:assert/strict";
import { REPO_DIR, restrictedTaskArgs } from "../_helpers/task_command.ts";
import { parseWrk, wrkDurationMs } from "../../scripts/loadtest/wrk.ts";
import { judge, ms, type RowResult, table } from "../../scripts/loadtest/report.ts";
import { selectRows } from "../../scripts/loadtest/rows.ts";

const decoder = new TextDecoder();

Deno.test("deno task loadtest: the task asks only for the programs it runs, loopback and its temp dir", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(
    config.tasks.loadtest,
    "deno run --allow-run=deno,wrk,taskset,git --allow-net=127.0.0.1 --allow-read=. --allow-write=.tmp " +
      "scripts/loadtest.ts",
  );
});

Deno.test("deno task loadtest --json: a short run measures the reference and the app's rows", async () => {
  const rows = ["ref-kv", "list", "track-record", "track-record-304", "health", "auth-me"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: await restrictedTaskArgs("loadtest", {}, [
      "--seconds",
      "1",
      "--days",
      "5",
      "--strategies",
      "0",
      "--rows",
      rows.join(","),
      "--connections",
      "4",
      "--generator",
      "deno",
      "--no-pin",
      "--port",
      "8890",
      "--json",
    ]),
    cwd: REPO_DIR,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = decoder.decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const report = JSON.parse(decoder.decode(out.stdout)) as {
    generator: string;
    connections: number;
    seconds: number;
    rows: RowResult[];
  };
  assert.equal(report.generator, "deno");
  assert.equal(report.connections, 4);
  assert.deepEqual(report.rows.map((r) => r.id), [
    "ref-kv",
    "list",
    "track-record",
    "health",
    "track-record-304",
    "auth-me",
  ]);
  const byId = new Map(report.rows.map((r) => [r.id, r]));
  for (const r of report.rows) {
    assert.ok(r.requests > 0 && r.rps > 0, `${r.id} measured requests`);
    assert.ok(Number.isFinite(r.p50_ms) && r.p99_ms >= r.p50_ms, `${r.id} has p50 ≤ p99`);
    assert.equal(r.errors, 0, `${r.id} had socket errors`);
    assert.equal(r.non_2xx_3xx, 0, `${r.id} answered ≥ 400`);
    assert.equal(r.answer.status, r.expected_status, `${r.id} answered ${r.answer.status}`);
  }
  assert.equal(byId.get("ref-kv")!.verdict, "reference");
  assert.equal(byId.get("ref-kv")!.kv_ratio, 1);
  assert.equal(byId.get("auth-me")!.verdict, "reported");
  for (const id of ["list", "track-record", "track-record-304", "health"]) {
    assert.ok(["meets", "misses"].includes(byId.get(id)!.verdict), id);
  }
  assert.equal(byId.get("track-record-304")!.answer.status, 304);
  assert.ok(byId.get("track-record")!.answer.etag, "the track record carries an ETag");
  assert.ok(byId.get("track-record")!.answer.bytes > 1024);
  assert.match(byId.get("list")!.label, /3 strategies/);
  assert.match(byId.get("ref-kv")!.label, /5-row record/);
});

Deno.test("deno task loadtest refuses an unknown row or argument before seeding anything", async () => {
  for (const args of [["--rows", "nope"], ["--seconds", "0"], ["--bogus"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: await restrictedTaskArgs("loadtest", {}, args),
      cwd: REPO_DIR,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(out.code, 0, args.join(" "));
    assert.match(decoder.decode(out.stderr), /unknown row nope|--seconds: 1\.\.600|unknown argument --bogus/);
  }
  assert.throws(() => selectRows(["list", "nope"], 0), /unknown row nope/);
  assert.deepEqual(selectRows(null, 0).filter((r) => r.server === "app1000"), []);
  assert.equal(selectRows(null, 1000).filter((r) => r.server === "app1000").length, 4);
});

/** wrk 4.1.0's output, as captured on this machine. */
const WRK_OUTPUT = `Running 10s test @ http://127.0.0.1:8862/kv
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.72ms    1.41ms  25.10ms   88.31%
    Req/Sec     8.66k   612.45     9.53k    81.00%
  Latency Distribution
     50%    3.48ms
     75%    4.01ms
     90%    4.88ms
     99%   11.80ms
  86190 requests in 10.00s, 1.85GB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   8617.93
Transfer/sec:    189.44MB
`;

Deno.test("parseWrk reads the rate, the percentiles, socket errors and bad answers", () => {
  assert.deepEqual(parseWrk(WRK_OUTPUT), {
    requests: 86190,
    rps: 8617.93,
    p50_ms: 3.48,
    p99_ms: 11.8,
    errors: 3,
    non_2xx_3xx: 3,
  });
  assert.equal(wrkDurationMs("412.00us"), 0.412);
  assert.equal(wrkDurationMs("1.01s"), 1010);
  assert.ok(Number.isNaN(wrkDurationMs("fast")));
});

Deno.test("the verdicts hold each kind of row to its target", () => {
  const load = (rps: number, p99: number) => ({
    requests: 1,
    rps,
    p50_ms: 1,
    p99_ms: p99,
    errors: 0,
    non_2xx_3xx: 0,
  });
  const ok = { status: 200, bytes: 2000, encoding: null, etag: '"t"' };
  assert.deepEqual(judge("public", load(5000, 19.9), ok, 200, 9000), {
    kv_ratio: 5000 / 9000,
    verdict: "meets",
    reasons: [],
  });
  assert.deepEqual(judge("public", load(4400, 25), ok, 200, 9000).reasons, [
    "< 50% of the KV read",
    "p99 ≥ 20 ms",
  ]);
  assert.deepEqual(judge("public", load(9000, 5), { ...ok, status: 200 }, 304, 9000).reasons, [
    "answered 200, not 304",
  ]);
  assert.deepEqual(judge("health", load(5200, 9), ok, 200, 9000).verdict, "meets");
  assert.deepEqual(judge("health", load(154, 1010), ok, 200, 9000).reasons, ["< 5,000 req/s", "p99 ≥ 10 ms"]);
  assert.equal(judge("auth", load(10, 900), ok, 200, 9000).verdict, "reported");
  assert.equal(judge("reference", load(10, 900), ok, 200, null).kv_ratio, null);
  assert.equal(ms(0.412), "0.41 ms");
  assert.equal(ms(134.4), "134 ms");
  assert.equal(ms(1010), "1,010 ms");
});

Deno.test("the table prints one markdown row per result with its verdict", () => {
  const base = { requests: 1, errors: 0, non_2xx_3xx: 0, expected_status: 200, reasons: [] as string[] };
  const text = table([
    {
      ...base,
      id: "ref-kv",
      label: "reference",
      kind: "reference",
      answer: { status: 200, bytes: 22_600, encoding: null, etag: null },
      rps: 8850.4,
      p50_ms: 3.5,
      p99_ms: 11.8,
      kv_ratio: 1,
      verdict: "reference",
    },
    {
      ...base,
      id: "list-304",
      label: "list, If-None-Match",
      kind: "public",
      answer: { status: 304, bytes: 0, encoding: null, etag: '"x"' },
      expected_status: 304,
      rps: 12000,
      p50_ms: 0.8,
      p99_ms: 25,
      kv_ratio: 12000 / 8850.4,
      verdict: "misses",
      reasons: ["p99 ≥ 20 ms"],
    },
  ]);
  assert.deepEqual(text.split("\n"), [
    "| endpoint | answer | req/s | p50 | p99 | × KV read | verdict |",
    "|---|---|---|---|---|---|---|",
    "| reference | 200 22.1 KB | 8,850 | 3.5 ms | 11.8 ms | 1.00 | reference |",
    "| list, If-None-Match | 304 | 12,000 | 0.80 ms | 25.0 ms | 1.36 | misses: p99 ≥ 20 ms |",
  ]);
});
