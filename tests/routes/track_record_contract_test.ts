/**
 * The typed contract of the track-record routes (tracked strategies, public records, admin jobs): every answer
 * of every operation, on a record rich enough to show every field (the demo replay: replaced versions, pauses,
 * dividends, a claimed history with tracking), is checked against the schema `/openapi.json` publishes for it.
 * A key the schema does not declare, a declared required key that is missing, a value of the wrong type, or a
 * catch-all schema (`{}`, an object without properties) fails the test.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { DEMO_SLUGS, replayDemo } from "../../scripts/demo_replay.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

type Schema = Record<string, unknown>;
type Spec = {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 20:00 CST

/** The operations of the three routers: their tags, and the admin job path. */
const OWN_TAGS = ["tracked strategies", "public records"];
const ADMIN_JOB_PATH = "/api/v1/admin/jobs/{name}/run";

function resolve(spec: Spec, schema: Schema): Schema {
  let s = schema;
  while (typeof s.$ref === "string") {
    s = spec.components.schemas[(s.$ref as string).replace("#/components/schemas/", "")];
    assert.ok(s, `unresolved ${schema.$ref}`);
  }
  return s;
}

/** `allOf` parts merged into one object schema (properties and required lists). */
function flatten(spec: Spec, schema: Schema): Schema {
  const s = resolve(spec, schema);
  if (!Array.isArray(s.allOf)) return s;
  const parts = (s.allOf as Schema[]).map((p) => flatten(spec, p));
  return {
    type: "object",
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
  };
}

const typesOf = (s: Schema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type as string];

/** Every way `value` departs from `schema`, as `path: problem` lines (empty when it conforms). */
export function departures(spec: Spec, schema: Schema, value: unknown, path = "$"): string[] {
  const s = flatten(spec, schema);
  const options = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (options) {
    const results = options.map((o) => departures(spec, o, value, path));
    if (results.some((r) => r.length === 0)) return [];
    return results.reduce((best, r) => (r.length < best.length ? r : best));
  }
  const types = typesOf(s);
  if (types.length === 0 && s.const === undefined && s.enum === undefined) {
    return [`${path}: catch-all schema ${JSON.stringify(s).slice(0, 80)}`];
  }
  if (s.const !== undefined) {
    return value === s.const ? [] : [`${path}: ${JSON.stringify(value)} is not ${s.const}`];
  }
  if (value === null) return types.includes("null") ? [] : [`${path}: null is not ${types.join("|")}`];
  if (Array.isArray(s.enum) && !s.enum.includes(value)) {
    return [`${path}: ${JSON.stringify(value)} not in enum`];
  }
  if (Array.isArray(value)) {
    if (!types.includes("array")) return [`${path}: an array is not ${types.join("|")}`];
    return value.flatMap((v, i) => departures(spec, (s.items ?? {}) as Schema, v, `${path}[${i}]`));
  }
  if (typeof value === "object") {
    if (!types.includes("object")) return [`${path}: an object is not ${types.join("|")}`];
    const props = s.properties as Record<string, Schema> | undefined;
    if (!props || Object.keys(props).length === 0) return [`${path}: catch-all object schema`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!(k in props)) out.push(`${path}.${k}: key not declared by the schema`);
      else out.push(...departures(spec, props[k], v, `${path}.${k}`));
    }
    for (const k of (s.required as string[] | undefined) ?? []) {
      if (!(k in (value as Record<string, unknown>))) out.push(`${path}.${k}: required key missing`);
    }
    return out;
  }
  const kind = typeof value === "number"
    ? (Number.isInteger(value) && types.includes("integer") ? "integer" : "number")
    : typeof value;
  return types.includes(kind)
    ? []
    : [`${path}: ${typeof value} ${JSON.stringify(value)} is not ${types.join("|")}`];
}

Deno.test("departures() flags undeclared keys, missing keys, wrong types and catch-all schemas", () => {
  const spec: Spec = {
    paths: {},
    components: {
      schemas: {
        P: {
          type: "object",
          properties: { a: { type: "integer" }, b: { type: ["string", "null"] } },
          required: ["a"],
        },
      },
    },
  };
  const ref = { $ref: "#/components/schemas/P" };
  assert.deepEqual(departures(spec, ref, { a: 1, b: null }), []);
  assert.deepEqual(departures(spec, ref, { a: 1, c: 2 }), ["$.c: key not declared by the schema"]);
  assert.deepEqual(departures(spec, ref, { b: "x" }), ["$.a: required key missing"]);
  assert.deepEqual(departures(spec, ref, { a: 1.5 }), ["$.a: number 1.5 is not integer"]);
  assert.deepEqual(departures(spec, { type: "object" }, { a: 1 }), ["$: catch-all object schema"]);
  assert.deepEqual(departures(spec, {}, 1), ["$: catch-all schema {}"]);
  assert.deepEqual(departures(spec, { type: "object", additionalProperties: {} }, {}), [
    "$: catch-all object schema",
  ]);
  assert.deepEqual(departures(spec, { anyOf: [ref, { type: "null" }] }, null), []);
  assert.equal(departures(spec, { type: "array", items: ref }, [{ a: 1 }, { a: 2, z: 0 }]).length, 1);
});

/** A world with the demo replayed (30 trading days) and an app that records which operations answered. */
async function openDemoWorld(): Promise<TestWorld> {
  const w = await openTestWorld();
  const market = buildMarketServices(w.kv, fixedClock(NOW), {
    seed: w.config.marketSeed,
    cacheBytes: 64 << 20,
    yahoo: w.config.yahoo,
  });
  await replayDemo(
    { ...w.deps.track, market: market.data, clock: w.clock },
    w.deps.auth.users,
    createSettingsRepo(w.kv),
    { days: 30, nowMs: NOW },
  );
  w.clock.set(NOW);
  return w;
}

Deno.test("every track-record route answers only fields its /openapi.json schema declares", async () => {
  const w = await openDemoWorld();
  try {
    const spec = (await (await w.request("GET", "/openapi.json")).json()) as Spec;
    const ours = new Set<string>();
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const tags = (op.tags ?? []) as string[];
        if (tags.some((t) => OWN_TAGS.includes(t)) || path === ADMIN_JOB_PATH) ours.add(`${method} ${path}`);
      }
    }
    const called = new Set<string>();
    const problems: string[] = [];
    /** Calls `url` and checks the answer against the schema of `method specPath` for its status. */
    const check = async (
      method: string,
      specPath: string,
      url: string,
      opts: { token?: string; json?: unknown } = {},
    ) => {
      const res = await w.request(method.toUpperCase(), url, opts);
      const body = await res.json();
      assert.ok(
        res.status === 200 || res.status === 201,
        `${method} ${url}: ${res.status} ${JSON.stringify(body)}`,
      );
      const op = spec.paths[specPath]?.[method];
      assert.ok(op, `${method} ${specPath} is not in /openapi.json`);
      const response = (op.responses as Record<string, Schema>)[String(res.status)];
      const schema = (response?.content as Record<string, Schema> | undefined)?.["application/json"]?.schema;
      assert.ok(schema, `${method} ${specPath} declares no JSON schema for ${res.status}`);
      problems.push(...departures(spec, schema as Schema, body).map((p) => `${method} ${url} ${p}`));
      called.add(`${method} ${specPath}`);
      return body;
    };

    // Public records of the demo strategies.
    await check("get", "/api/v1/public/strategies", "/api/v1/public/strategies");
    await check("get", "/api/v1/public/strategies", "/api/v1/public/strategies?universe=etf_all&limit=1");
    const hashes: string[] = [];
    for (const slug of DEMO_SLUGS) {
      const record = await check(
        "get",
        "/api/v1/public/strategies/{slug}/track-record",
        `/api/v1/public/strategies/${slug}/track-record`,
      );
      await check(
        "get",
        "/api/v1/public/strategies/{slug}/performance",
        `/api/v1/public/strategies/${slug}/performance`,
      );
      for (const day of record.records as { date: string }[]) {
        const v = await check(
          "get",
          "/api/v1/public/strategies/{slug}/verify",
          `/api/v1/public/strategies/${slug}/verify?date=${day.date}`,
        );
        if (v.signal) hashes.push(v.signal.signal_hash);
      }
      await check(
        "get",
        "/api/v1/public/strategies/{slug}/verify",
        `/api/v1/public/strategies/${slug}/verify`,
      );
      await check(
        "get",
        "/api/v1/public/strategies/{slug}/audit",
        `/api/v1/public/strategies/${slug}/audit?limit=200`,
      );
    }
    await check(
      "get",
      "/api/v1/public/strategies/{slug}/claimed",
      "/api/v1/public/strategies/demo-reversal/claimed",
    );
    // A claimed history over the record's own dates (demo strategies have no owner to upload it as).
    const navs = await w.deps.track.settlements.navSeries("demo-momentum");
    await w.deps.track.claimed.put({
      strategy_slug: "demo-momentum",
      records: navs.map((n, i) => ({ date: n.date, nav: (n.nav / 1e6) * (1 + 0.001 * (i % 3)) })),
      uploaded_at: NOW,
    });
    const claimed = await check(
      "get",
      "/api/v1/public/strategies/{slug}/claimed",
      "/api/v1/public/strategies/demo-momentum/claimed",
    );
    assert.ok(claimed.tracking, "the tracking block is shown");
    await check(
      "get",
      "/api/v1/public/strategies/{slug}/track-record",
      "/api/v1/public/strategies/demo-momentum/track-record",
    );
    // The demo's signals are in the demo's own log.
    const cp = await check("get", "/api/v1/public/log/checkpoint", "/api/v1/public/log/checkpoint?log=demo");
    await check("get", "/api/v1/public/log/checkpoint", "/api/v1/public/log/checkpoint");
    for (const h of hashes.slice(0, 20)) {
      await check("get", "/api/v1/public/log/proof/{signal_hash}", `/api/v1/public/log/proof/${h}?log=demo`);
    }
    await check(
      "get",
      "/api/v1/public/log/proof/{signal_hash}",
      `/api/v1/public/log/proof/${hashes[0]}?tree_size=${cp.tree_size}&log=demo`,
    );
    await check(
      "get",
      "/api/v1/public/log/consistency",
      `/api/v1/public/log/consistency?first=1&second=${cp.tree_size}&log=demo`,
    );
    await check(
      "get",
      "/api/v1/public/log/consistency",
      `/api/v1/public/log/consistency?first=${cp.tree_size}&second=${cp.tree_size}&log=demo`,
    );
    await check("get", "/api/v1/public/log/checkpoints", "/api/v1/public/log/checkpoints?log=demo&limit=5");
    await check("get", "/api/v1/public/log/witnesses", "/api/v1/public/log/witnesses?log=demo");

    // My tracked strategies: create, list, read, patch, signals, withdraw, claimed, retire.
    const token = (await signInWithOtp(w, "contract@example.com")).access_token;
    const base = "/api/v1/strategies";
    await check("post", "/api/v1/strategies", base, {
      token,
      json: { name: "Contract", slug: "contract-1" },
    });
    await check("post", "/api/v1/strategies", base, { token, json: { name: "Other", slug: "contract-2" } });
    await check("get", "/api/v1/strategies", base, { token });
    await check("get", "/api/v1/strategies", `${base}?status=pending`, { token });
    await check("get", "/api/v1/strategies/{slug}", `${base}/contract-1`, { token });
    await check("patch", "/api/v1/strategies/{slug}", `${base}/contract-1`, {
      token,
      json: { description: "described" },
    });
    const signals = [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "510300.SH", weight: 0.2 }];
    for (
      const [date, weights] of [["2026-11-23", signals], ["2026-11-23", signals.slice(0, 1)], [
        "2026-11-24",
        [],
      ]]
    ) {
      await check("post", "/api/v1/strategies/{slug}/signals", `${base}/contract-1/signals`, {
        token,
        json: { trade_date: date, signals: weights },
      });
    }
    await check("get", "/api/v1/strategies/{slug}/signals", `${base}/contract-1/signals`, { token });
    await check(
      "delete",
      "/api/v1/strategies/{slug}/signals/{trade_date}",
      `${base}/contract-1/signals/2026-11-24`,
      { token },
    );
    const points = [{ date: "2026-10-01", nav: 1 }, { date: "2026-10-02", nav: 1.02 }, {
      date: "2026-10-05",
      nav: 1.01,
    }];
    await check("put", "/api/v1/strategies/{slug}/claimed", `${base}/contract-1/claimed`, {
      token,
      json: { records: points },
    });
    await check("put", "/api/v1/strategies/{slug}/claimed", `${base}/contract-1/claimed`, {
      token,
      json: { records: points.slice(0, 2) },
    });
    await check("get", "/api/v1/strategies/{slug}/claimed", `${base}/contract-1/claimed`, { token });
    await check("delete", "/api/v1/strategies/{slug}/claimed", `${base}/contract-1/claimed`, { token });
    await check("delete", "/api/v1/strategies/{slug}", `${base}/contract-2`, { token });
    await check(
      "get",
      "/api/v1/public/strategies/{slug}/audit",
      "/api/v1/public/strategies/contract-1/audit",
      {},
    );

    // Every daily job, on a trading day and (where it matters) on a day the SSE did not trade.
    const admin = (await signInAdmin(w)).access_token;
    for (
      const run of [
        "settle-signals?date=2026-11-20",
        "settle-signals?date=2026-11-21",
        "watchdog?date=2026-11-20",
        "watchdog?date=2026-11-21",
        "retry-attestations",
        "recompute-evaluations?date=2026-11-20",
      ]
    ) {
      await check(
        "post",
        ADMIN_JOB_PATH,
        `/api/v1/admin/jobs/${run.replace("?", "/run?").replace(/^([a-z-]+)$/, "$1/run")}`,
        {
          token: admin,
        },
      );
    }

    assert.deepEqual(problems, []);
    assert.deepEqual([...ours].filter((op) => !called.has(op)).sort(), [], "every operation was called");
  } finally {
    await w.close();
  }
});

/** Every catch-all inside `schema` (an empty schema, an object without properties, open additionalProperties). */
function catchAlls(spec: Spec, schema: Schema, path: string, seen = new Set<string>()): string[] {
  if (typeof schema.$ref === "string") {
    if (seen.has(schema.$ref)) return [];
    seen.add(schema.$ref);
    return catchAlls(spec, resolve(spec, schema), `${path}→${schema.$ref.split("/").pop()}`, seen);
  }
  const out: string[] = [];
  const nested = [
    ...((schema.anyOf ?? schema.oneOf ?? schema.allOf ?? []) as Schema[]),
    ...Object.values((schema.properties ?? {}) as Record<string, Schema>),
    ...(schema.items ? [schema.items as Schema] : []),
  ];
  const combined = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (!combined && schema.type === undefined && schema.const === undefined && schema.enum === undefined) {
    out.push(`${path}: empty schema`);
  }
  if (typesOf(schema).includes("object") && !schema.properties) {
    out.push(`${path}: object without properties`);
  }
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    out.push(`${path}: additionalProperties ${JSON.stringify(extra)}`);
  }
  for (const n of nested) out.push(...catchAlls(spec, n, path, seen));
  return out;
}

Deno.test("/openapi.json declares no catch-all response schema for the track-record routes", async () => {
  const w = await openTestWorld();
  try {
    const spec = (await (await w.request("GET", "/openapi.json")).json()) as Spec;
    const found: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const tags = (op.tags ?? []) as string[];
        if (!tags.some((t) => OWN_TAGS.includes(t)) && path !== ADMIN_JOB_PATH) continue;
        for (const [status, response] of Object.entries(op.responses as Record<string, Schema>)) {
          if (!status.startsWith("2")) continue;
          const schema = (response.content as Record<string, Schema> | undefined)?.["application/json"]
            ?.schema;
          if (!schema) continue;
          checked++;
          found.push(...catchAlls(spec, schema as Schema, `${method} ${path} ${status}`));
        }
      }
    }
    assert.ok(checked >= 20, `only ${checked} responses found`);
    assert.deepEqual(found, []);
    // The check itself finds what the old schemas had.
    assert.equal(catchAlls(spec, { type: "object", additionalProperties: {} }, "x").length, 2);
    assert.equal(catchAlls(spec, { type: "object", properties: { a: {} } }, "x").length, 1);
  } finally {
    await w.close();
  }
});
