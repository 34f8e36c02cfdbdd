/**
 * A typed client that openapi-typescript generates from the app's OpenAPI document type-checks against real
 * answers: each answer is written as a literal of its operation's generated response type and `deno check` must
 * accept it.
 */
import assert from "node:assert/strict";
import openapiTS, { astToString, type SchemaObject, transformSchemaObject } from "openapi-typescript";
import ts from "typescript";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { openTestWorld, signInAdmin, T0, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  name: "SMA cross",
  universe: { tickers: ["600519.SH", "600036.SH"] },
  entry: "crosses_above(sma(close, 10), sma(close, 30))",
  exit: "crosses_below(sma(close, 10), sma(close, 30))",
  sizing: { method: "percent_equity", percent: 40, max_positions: 2 },
  start: "2018-01-01",
  end: "2019-12-31",
  benchmarks: ["000300.SH"],
};
/** Distinct long-window terms over a whole universe: over the expression budget of a synchronous run. */
const HEAVY = Array.from({ length: 150 }, (_, i) => `sma(close, ${i + 50}) > 0`).join(" and ");
const SIGNALS = [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "000001.SZ", weight: 0.3 }];

/** One real answer: the operation and status whose generated type it must satisfy. */
interface Sample {
  name: string;
  path: string;
  method: "get" | "post" | "put" | "patch" | "delete";
  status: number;
  body: unknown;
}

/** Sends a request, asserts its status and keeps the answer as a sample of `path`. */
async function sample(
  w: TestWorld,
  samples: Sample[],
  name: string,
  [method, template, url]: [Sample["method"], string, string?],
  status: number,
  opts: { json?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  const res = await w.request(method.toUpperCase(), url ?? template, opts);
  const body = await res.json();
  assert.equal(res.status, status, `${name}: ${JSON.stringify(body)}`);
  samples.push({ name, path: template, method, status, body });
  return body as Record<string, string>;
}

/** Real answers of a representative set of operations. */
async function collectSamples(w: TestWorld): Promise<Sample[]> {
  const s: Sample[] = [];
  const headers = { "x-forwarded-for": "10.0.0.1" };
  await sample(w, s, "requestOtp", ["post", "/api/v1/auth/request-otp"], 200, {
    json: { email: "client@example.com" },
    headers,
  });
  const otp = w.sent.at(-1)!.text.match(/\b(\d{6})\b/)![1];
  const session = await sample(w, s, "signIn", ["post", "/api/v1/auth/verify-otp"], 200, {
    json: { email: "client@example.com", otp_code: otp },
    headers,
  });
  const token: string = session.access_token;
  await sample(w, s, "me", ["get", "/api/v1/auth/me"], 200, { token });
  await sample(w, s, "health", ["get", "/api/v1/health"], 200);

  await sample(w, s, "backtestRun", ["post", "/api/v1/backtests/run"], 200, { json: { spec: SPEC }, token });
  const queued = await sample(w, s, "jobQueued", ["post", "/api/v1/backtests"], 202, {
    json: { spec: SPEC },
    token,
  });
  assert.equal(await runBacktestJob(w.deps.backtests, queued.job_id), "completed");
  const job = (p: string) => `/api/v1/backtests/${queued.job_id}${p}`;
  await sample(w, s, "job", ["get", "/api/v1/backtests/{job_id}", job("")], 200, { token });
  await sample(
    w,
    s,
    "jobReport",
    ["get", "/api/v1/backtests/{job_id}/report-data", job("/report-data")],
    200,
    {
      token,
    },
  );
  await sample(w, s, "jobPlot", ["get", "/api/v1/backtests/{job_id}/plot", job("/plot")], 200, { token });
  await sample(w, s, "tooExpensive", ["post", "/api/v1/backtests/run"], 422, {
    json: { spec: { ...SPEC, universe: { name: "hs300" }, start: "2000-01-01", entry: HEAVY } },
    token,
  });

  const saved = await sample(w, s, "librarySave", ["post", "/api/v1/library"], 201, {
    json: { name: "Cross", spec: SPEC },
    token,
  });
  const lib = (p: string) => `/api/v1/library/${saved.strategy_id}${p}`;
  await sample(w, s, "libraryVersion2", ["post", "/api/v1/library"], 201, {
    json: { name: "Cross", spec: { ...SPEC, exit: "rsi(close, 14) > 70" }, strategy_id: saved.strategy_id },
    token,
  });
  await sample(w, s, "library", ["get", "/api/v1/library/{id}", lib("")], 200, { token });
  await sample(
    w,
    s,
    "libraryCompare",
    ["get", "/api/v1/library/{id}/compare", lib("/compare?a=1&b=2")],
    200,
    {
      token,
    },
  );
  await sample(w, s, "leaderboardSubmit", ["post", "/api/v1/leaderboard/submit"], 200, {
    json: { strategy_id: saved.strategy_id, dataset: "default" },
    token,
  });
  await sample(w, s, "leaderboard", [
    "get",
    "/api/v1/leaderboard/top",
    "/api/v1/leaderboard/top?dataset=default",
  ], 200);

  await sample(w, s, "trackedCreate", ["post", "/api/v1/strategies"], 201, {
    json: { name: "Client one", slug: "client-1" },
    token,
  });
  const signal = await sample(
    w,
    s,
    "signal",
    ["post", "/api/v1/strategies/{slug}/signals", "/api/v1/strategies/client-1/signals"],
    201,
    {
      json: { trade_date: "2026-05-14", signals: SIGNALS },
      token,
    },
  );
  const admin = (await signInAdmin(w)).access_token;
  w.clock.set(T0 + 9.25 * 3_600_000); // 18:15 in Shanghai: after the close
  await sample(
    w,
    s,
    "settle",
    ["post", "/api/v1/admin/jobs/{name}/run", "/api/v1/admin/jobs/settle-signals/run?date=2026-05-14"],
    200,
    { token: admin },
  );
  const pub = (
    p: string,
  ) => [`/api/v1/public/strategies/{slug}${p}`, `/api/v1/public/strategies/client-1${p}`];
  await sample(w, s, "publicList", ["get", "/api/v1/public/strategies"], 200);
  await sample(
    w,
    s,
    "publicRecord",
    ["get", ...pub("/track-record")] as [Sample["method"], string, string],
    200,
  );
  await sample(
    w,
    s,
    "performance",
    ["get", ...pub("/performance")] as [Sample["method"], string, string],
    200,
  );
  const [vt, vu] = pub("/verify");
  await sample(w, s, "verify", ["get", vt, `${vu}?date=2026-05-14`], 200);
  await sample(w, s, "proof", [
    "get",
    "/api/v1/public/log/proof/{signal_hash}",
    `/api/v1/public/log/proof/${signal.signal_hash}`,
  ], 200);
  return s;
}

/**
 * TypeScript cannot say "these named keys are strings, every other key is a number" (a report day's
 * `<benchmark>Normalized` keys beside `date`): an object with both properties and typed additionalProperties gets
 * an index signature over the union of all its value types, as is usual for generated clients.
 */
function widenIndexSignatures(schema: SchemaObject, options: Parameters<typeof transformSchemaObject>[1]) {
  // A JSON value of any depth refers to itself, which an interface property cannot do in TypeScript (TS2502):
  // the client reads it as `unknown`, the type any JSON value has.
  if (options.path === "#/components/schemas/JsonValue") {
    return ts.factory.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword);
  }
  const { properties, additionalProperties: extra } = schema as {
    properties?: Record<string, unknown>;
    additionalProperties?: unknown;
  };
  if (!properties || typeof extra !== "object" || "x-widened" in schema) return undefined;
  const widened = { anyOf: [extra, ...Object.values(properties)] };
  return transformSchemaObject(
    { ...schema, additionalProperties: widened, "x-widened": true } as unknown as SchemaObject,
    options,
  );
}

/** Generates `api.d.ts` from the app's `/openapi.json` into a fresh directory. */
async function generateClient(w: TestWorld): Promise<string> {
  const res = await w.request("GET", "/openapi.json");
  assert.equal(res.status, 200);
  const ast = await openapiTS(await res.json(), { transform: widenIndexSignatures });
  const dir = await Deno.makeTempDir({ prefix: "openapi-client-" });
  await Deno.writeTextFile(`${dir}/api.d.ts`, astToString(ast));
  return dir;
}

/** A module assigning each sample to its generated response type. */
function checkModule(samples: Sample[]): string {
  const lines = [
    `import type { paths } from "./api.d.ts";`,
    `type Answer<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends`,
    `  { responses: { [K in S]: { content: { "application/json": infer T } } } } ? T : never;`,
  ];
  for (const x of samples) {
    lines.push(
      `export const ${x.name}: Answer<${JSON.stringify(x.path)}, "${x.method}", ${x.status}> = ${
        JSON.stringify(x.body)
      };`,
    );
  }
  return lines.join("\n") + "\n";
}

/** `deno check` of `file` (no config: the module imports only the generated types). */
async function denoCheck(file: string): Promise<{ ok: boolean; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--no-config", "--quiet", file],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, output: text };
}

Deno.test("a client generated from /openapi.json type-checks against real answers; an undeclared field or a wrong type does not", async () => {
  const w = await openTestWorld();
  let dir: string | undefined;
  try {
    const samples = await collectSamples(w);
    dir = await generateClient(w);
    const good = `${dir}/answers.ts`;
    await Deno.writeTextFile(good, checkModule(samples));
    const checked = await denoCheck(good);
    assert.ok(checked.ok, checked.output);

    // The same answers with one planted field, and with one field of the wrong type, are refused.
    const run = samples.find((x) => x.name === "backtestRun")!;
    const report = run.body as { summary: Record<string, unknown> };
    const planted = {
      ...run,
      name: "planted",
      body: { ...report, summary: { ...report.summary, bogus: 1 } },
    };
    await Deno.writeTextFile(`${dir}/planted.ts`, checkModule([planted]));
    const extra = await denoCheck(`${dir}/planted.ts`);
    assert.ok(!extra.ok && /bogus/.test(extra.output), extra.output);
    const wrong = {
      ...run,
      name: "wrong",
      body: { ...report, summary: { ...report.summary, totalTrades: "3" } },
    };
    await Deno.writeTextFile(`${dir}/wrong.ts`, checkModule([wrong]));
    const typed = await denoCheck(`${dir}/wrong.ts`);
    assert.ok(
      !typed.ok && /TS2322.*'string' is not assignable to type 'number'/.test(typed.output),
      typed.output,
    );
  } finally {
    await w.close();
    if (dir) await Deno.remove(dir, { recursive: true });
  }
});
