/**
 * Every tool of the server, generically (`ALL_TOOLS` and a live `tools/list`, so tools added later are covered
 * too): a title and a description an agent can act on, a described strict input schema, all four annotations
 * consistent with each other, with the verb of the name and with the QuantGPT document's "Idempotency & Retry
 * Safety" table; and for every property, a wrong-typed value, a missing required one and an unknown one are
 * refused with a 422 whose `loc` names the field.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { ALL_TOOLS } from "../../mcp/tool_catalog.ts";
import { defineTool, invokeTool, READ_ONLY, toolContext } from "../../mcp/tool_kit.ts";
import { openTestWorld } from "../_helpers/test_app.ts";
import { guideAccount } from "../_helpers/quantgpt_client.ts";
import { connectMcp, type McpTestClient, withMcpWorld } from "../_helpers/mcp_client.ts";

// deno-lint-ignore no-explicit-any -- a JSON Schema as the client receives it
type JsonSchema = Record<string, any>;

interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  annotations?: Record<string, unknown>;
}

/** Prefixes of tools that delete, cancel, stop, revoke, retire, withdraw or remove: destructive. */
const DESTRUCTIVE_PREFIXES = ["delete_", "remove_", "revoke_", "withdraw_", "retire_", "cancel_", "stop_"];

/**
 * The document's idempotency table, as the tools that carry its operations. `onMain`: the tool is on main, so it
 * must exist; the others are checked once a helper's branch brings them.
 */
const IDEMPOTENCY_TABLE: { tool: string; operation: string; idempotent: boolean; onMain: boolean }[] = [
  { tool: "register_with_invite", operation: "POST /auth/invite", idempotent: false, onMain: true },
  { tool: "create_api_key", operation: "POST /billing/api-keys", idempotent: false, onMain: true },
  { tool: "create_strategy", operation: "POST /strategies", idempotent: false, onMain: true },
  { tool: "submit_signal", operation: "POST /strategies/{slug}/signals", idempotent: false, onMain: true },
  {
    tool: "upload_claimed_history",
    operation: "PUT /strategies/{slug}/claimed",
    idempotent: true,
    onMain: true,
  },
  {
    tool: "withdraw_signal",
    operation: "DELETE /strategies/{slug}/signals/{date}",
    idempotent: true,
    onMain: true,
  },
  {
    tool: "mark_all_notifications_read",
    operation: "POST /notifications/read-all",
    idempotent: true,
    onMain: false,
  },
  { tool: "update_profile", operation: "PATCH /auth/profile", idempotent: true, onMain: true },
  { tool: "create_factor", operation: "POST /factors", idempotent: false, onMain: false },
  { tool: "upload_factor_values", operation: "POST /factors/{id}/values", idempotent: true, onMain: false },
  { tool: "submit_factor", operation: "POST /factors/{id}/submit", idempotent: false, onMain: false },
  { tool: "create_ticket", operation: "POST /tickets", idempotent: false, onMain: false },
];

/** The JSON types a property schema admits (through anyOf/oneOf/allOf); empty when it admits anything. */
function allowedTypes(schema: JsonSchema): Set<string> {
  const out = new Set<string>();
  const walk = (s: JsonSchema | undefined) => {
    if (!s || typeof s !== "object") return;
    if (typeof s.type === "string") out.add(s.type);
    if (Array.isArray(s.type)) s.type.forEach((t: string) => out.add(t));
    if ("const" in s) out.add(s.const === null ? "null" : typeof s.const);
    if (Array.isArray(s.enum)) {
      for (const v of s.enum) out.add(v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
    }
    for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(s[k])) s[k].forEach(walk);
  };
  walk(schema);
  if (out.has("integer")) out.add("number");
  return out;
}

/**
 * A value of a JSON type the property does not admit: the brief's choices first (a string gets 12345, a number
 * or boolean "x", an array {"a":1}, an object 12345), then whatever the property does not admit.
 */
function wrongValue(schema: JsonSchema): unknown | undefined {
  const types = allowedTypes(schema);
  if (types.size === 0) return undefined;
  const typeOf = (v: unknown) => v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  const first = [...types][0];
  const preferred: Record<string, unknown> = {
    string: 12345,
    number: "x",
    integer: "x",
    boolean: "x",
    array: { a: 1 },
    object: 12345,
  };
  const candidates = [preferred[first], 12345, "x", { a: 1 }, [1], true];
  return candidates.find((v) => v !== undefined && !types.has(typeOf(v)));
}

/** Runs `fn` with an API-key client of a served world whose MCP rate is high enough for every call here. */
function withAgent(fn: (mcp: McpTestClient, listed: ListedTool[]) => Promise<void>): Promise<void> {
  return withMcpWorld(async (w, served) => {
    const mcp = await connectMcp(served.url, (await guideAccount(w)).token);
    try {
      const { tools } = await mcp.client.listTools();
      await fn(mcp, tools as ListedTool[]);
      assert.ok(!w.logs.some((l) => l.level === "error"), "no call ended in an unexpected error");
    } finally {
      await mcp.close();
    }
  }, { RATE_LIMIT_MCP: "1000000/1m" });
}

Deno.test("tool schemas: tools/list answers ALL_TOOLS in order, each titled, described and with a strict described input", () =>
  withAgent((_mcp, listed) => {
    assert.deepEqual(listed.map((t) => t.name), ALL_TOOLS.map((t) => t.name));
    assert.equal(new Set(listed.map((t) => t.name)).size, listed.length, "names are unique");
    for (const t of listed) {
      assert.match(t.name, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, `${t.name}: snake_case`);
      assert.ok(t.title && t.title.trim().length > 0, `${t.name}: a title`);
      assert.ok((t.description ?? "").length >= 40, `${t.name}: a description of at least 40 characters`);
      const s = t.inputSchema;
      assert.equal(s.type, "object", `${t.name}: the input is an object`);
      assert.equal(s.additionalProperties, false, `${t.name}: unknown fields are refused`);
      for (const [prop, ps] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
        const described = ps.description ?? ps.anyOf?.find((x: JsonSchema) => x.description)?.description;
        assert.ok(
          typeof described === "string" && described.trim().length > 0,
          `${t.name}.${prop}: a description`,
        );
      }
      for (const r of (s.required ?? []) as string[]) {
        assert.ok(r in (s.properties ?? {}), `${t.name}: required ${r} is a property`);
      }
    }
    return Promise.resolve();
  }));

Deno.test("tool schemas: annotations — all four hints; read-only tools are safe; destructive verbs are marked; the idempotency table", () =>
  withAgent((_mcp, listed) => {
    const byName = new Map(listed.map((t) => [t.name, t]));
    for (const t of listed) {
      const a = t.annotations ?? {};
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
        assert.equal(typeof a[hint], "boolean", `${t.name}: ${hint} is sent`);
      }
      const def = ALL_TOOLS.find((d) => d.name === t.name)!;
      assert.deepEqual(
        [a.readOnlyHint, a.destructiveHint, a.idempotentHint, a.openWorldHint],
        [def.hints.readOnly, def.hints.destructive, def.hints.idempotent, def.hints.openWorld ?? false],
        `${t.name}: the listing sends the tool's own hints`,
      );
      if (a.readOnlyHint) {
        assert.equal(a.destructiveHint, false, `${t.name}: read-only, so not destructive`);
        assert.equal(a.idempotentHint, true, `${t.name}: read-only, so idempotent`);
      }
      if (DESTRUCTIVE_PREFIXES.some((p) => t.name.startsWith(p))) {
        assert.equal(a.destructiveHint, true, `${t.name}: destructive by its verb`);
        assert.equal(a.readOnlyHint, false, `${t.name}: not read-only`);
      }
      if (/^(list|get)_/.test(t.name)) {
        assert.equal(a.readOnlyHint, true, `${t.name}: a list/get tool only reads`);
      }
    }
    for (const row of IDEMPOTENCY_TABLE) {
      const t = byName.get(row.tool);
      if (!t) {
        assert.ok(!row.onMain, `${row.tool} (${row.operation}) is on main and must be served`);
        continue;
      }
      assert.equal(t.annotations?.idempotentHint, row.idempotent, `${row.tool}: ${row.operation}`);
      if (!row.idempotent) {
        assert.match(
          t.description ?? "",
          /idempotent|retry|timeout|confirm/i,
          `${row.tool}: says how to confirm before a retry`,
        );
      }
    }
    return Promise.resolve();
  }));

Deno.test("tool schemas: every property of every tool refuses a wrong-typed value with 422 naming it", () =>
  withAgent(async (mcp, listed) => {
    const untyped: string[] = [];
    let checked = 0;
    for (const t of listed) {
      for (
        const [prop, ps] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, JsonSchema>)
      ) {
        const value = wrongValue(ps);
        if (value === undefined) {
          untyped.push(`${t.name}.${prop}`);
          continue;
        }
        const r = await mcp.callTool(t.name, { [prop]: value });
        const where = `${t.name}.${prop} = ${JSON.stringify(value)}`;
        assert.equal(r.isError, true, `${where}: refused (${r.text.slice(0, 200)})`);
        assert.equal(r.body.error.status, 422, `${where}: ${r.text.slice(0, 300)}`);
        assert.equal(r.body.error.type, "validation_error", where);
        const detail = r.body.error.detail as { loc: (string | number)[]; type: string; msg: string }[];
        assert.ok(Array.isArray(detail), where);
        const entry = detail.find((d) => d.loc[0] === prop);
        assert.ok(entry, `${where}: a detail entry at ${prop}: ${JSON.stringify(detail)}`);
        assert.equal(typeof entry.msg, "string", where);
        assert.match(r.text, new RegExp(`(^|\\W)${prop}(\\W|$)`), `${where}: the text names the field`);
        assert.match(r.body.error.recovery, /loc/, where);
        checked++;
      }
    }
    assert.ok(checked >= 30, `checked ${checked} properties`);
    // Properties that admit any JSON value have no wrong type; there should be none or nearly none.
    assert.ok(untyped.length <= 3, `properties without a type: ${untyped.join(", ")}`);
  }));

Deno.test("tool schemas: a missing required property is 422 type missing at [name]; an unknown one extra_forbidden", () =>
  withAgent(async (mcp, listed) => {
    for (const t of listed) {
      const required = (t.inputSchema.required ?? []) as string[];
      const unknown = await mcp.callTool(t.name, { __unknown__: 1 });
      assert.equal(unknown.isError, true, t.name);
      assert.equal(unknown.body.error.status, 422, `${t.name}: ${unknown.text.slice(0, 300)}`);
      const detail = unknown.body.error.detail as { loc: (string | number)[]; type: string }[];
      const extra = detail.find((d) => d.type === "extra_forbidden");
      assert.ok(extra, `${t.name}: ${JSON.stringify(detail)}`);
      assert.deepEqual(extra.loc, ["__unknown__"], t.name);
      for (const name of required) {
        const missing = detail.find((d) => d.loc.length === 1 && d.loc[0] === name);
        assert.ok(missing, `${t.name}: ${name} reported missing beside the unknown field`);
        assert.equal(missing.type, "missing", `${t.name}.${name}: ${JSON.stringify(missing)}`);
      }
      if (required.length > 0) {
        const none = await mcp.callTool(t.name, {});
        assert.equal(none.body.error?.status, 422, `${t.name}: ${none.text.slice(0, 300)}`);
        for (const name of required) {
          const entry = (none.body.error.detail as { loc: unknown[]; type: string }[]).find((d) =>
            d.loc.length === 1 && d.loc[0] === name
          );
          assert.equal(entry?.type, "missing", `${t.name}.${name}`);
        }
      }
    }
  }));

Deno.test("tool schemas: a left-out field is `missing` whatever its schema (enum, literal, nested object)", async () => {
  const w = await openTestWorld();
  try {
    const probe = defineTool({
      name: "probe_tool",
      title: "Probe",
      description: "A tool made for this test only: every kind of required field.",
      input: z.strictObject({
        kind: z.enum(["a", "b"]).describe("An enum"),
        exact: z.literal("x").describe("A literal"),
        nested: z.strictObject({ inner: z.enum(["p"]).describe("An enum inside") }).describe("An object"),
      }),
      access: "public",
      hints: READ_ONLY,
      run: () => Promise.resolve({}),
    });
    const ctx = toolContext(w.deps, { principal: null, clientIp: "127.0.0.9", correlationId: "probe" });
    const none = await invokeTool(probe, ctx, {});
    const detail = (none.structuredContent!.error as { detail: { loc: unknown[]; type: string }[] }).detail;
    assert.deepEqual(
      detail.map((d) => [d.loc, d.type]),
      [[["kind"], "missing"], [["exact"], "missing"], [["nested"], "missing"]],
    );
    const inner = await invokeTool(probe, ctx, { kind: "c", exact: "x", nested: {} });
    const innerDetail =
      (inner.structuredContent!.error as { detail: { loc: unknown[]; type: string }[] }).detail;
    assert.deepEqual(
      innerDetail.map((d) => [d.loc, d.type]),
      [[["kind"], "invalid_value"], [["nested", "inner"], "missing"]],
      "a wrong value keeps its own type",
    );
  } finally {
    await w.close();
  }
});
