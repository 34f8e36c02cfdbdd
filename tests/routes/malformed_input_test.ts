/**
 * Malformed-input sweep: discovers every operation from the app's own `/openapi.json` and sends it wrong types,
 * missing and extra fields, non-objects, empty, oversized and non-JSON bodies, and bad query/path values, as an
 * anonymous caller, a signed-in user and (for admin routes) an admin. Every answer must be a 4xx in the
 * documented shape; never a 5xx. A JSON route called without a content type (even with an empty body) or with
 * a non-JSON one answers 415 before anything else; every text field of a JSON body refuses NUL, a C0 control,
 * a bidirectional override and an unpaired surrogate with a 422 naming the field.
 */
import assert from "node:assert/strict";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  summary?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Limits generous enough that the sweep never meets a rate limiter, and every optional feature configured. */
const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_OTP_PER_EMAIL: "100000/1m",
  RATE_LIMIT_OTP_PER_IP: "100000/1m",
  RATE_LIMIT_VERIFY_PER_IP: "100000/1m",
  RATE_LIMIT_LOGIN: "100000/1m",
  RATE_LIMIT_INVITE_PER_IP: "100000/1m",
  RATE_LIMIT_REFRESH_PER_IP: "100000/1m",
  // The factor values upload has its own, larger body limit: 1 MiB here so the 2 MiB case applies to it too.
  FACTOR_UPLOAD_MAX_BYTES: "1048576",
  // Optional features switched on, so their routes validate input instead of answering "not configured".
  GITHUB_CLIENT_ID: "sweep-client-id",
  GITHUB_CLIENT_SECRET: "sweep-client-secret",
};

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete"]);
const TWO_MIB = "x".repeat(2 * 1024 * 1024);
const JSON_CT = { "content-type": "application/json" };
const EXTRA_FIELD = "unexpected_field_xyz";
/** Characters no text field accepts, placed in the middle of a valid value. */
const UNSAFE_CHARACTERS: [string, string][] = [
  ["NUL", "\u0000"],
  ["ESC", "\u001b"],
  ["RIGHT-TO-LEFT OVERRIDE", "\u202e"],
  ["FIRST STRONG ISOLATE", "\u2068"],
  ["an unpaired surrogate", "\ud800"],
];
let requestsSent = 0;

/** Resolves local `$ref`s against the document's components. */
function resolver(doc: Doc) {
  return function resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let depth = 0; s.$ref && depth < 20; depth++) {
      const name = s.$ref.replace("#/components/schemas/", "");
      s = doc.components?.schemas?.[name] ?? {};
    }
    return s;
  };
}

/** The JSON types a schema accepts (`integer` counted as `number`); `null` when it accepts anything. */
function allowedTypes(s: Schema, resolve: (s?: Schema) => Schema): Set<string> | null {
  const out = new Set<string>();
  const add = (t: string) => out.add(t === "integer" ? "number" : t);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    for (const alt of alternatives) {
      const sub = allowedTypes(resolve(alt), resolve);
      if (sub === null) return null;
      sub.forEach(add);
    }
    return out;
  }
  if (s.allOf) return allowedTypes(resolve(s.allOf[0]), resolve);
  if (s.type !== undefined) {
    (Array.isArray(s.type) ? s.type : [s.type]).forEach(add);
  } else if (s.enum) {
    for (const v of s.enum) add(v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  } else if ("const" in s) {
    add(s.const === null ? "null" : typeof s.const);
  } else if (s.properties) {
    add("object");
  } else {
    return null;
  }
  if (s.nullable === true) out.add("null");
  return out;
}

const WRONG_VALUES: [string, unknown][] = [
  ["number", 987654321],
  ["string", "not-the-right-type"],
  ["boolean", true],
  ["object", { unexpected: 1 }],
  ["array", [1, "two"]],
  ["null", null],
];

/** Values of a JSON type the schema does not accept. */
function wrongTypeValues(s: Schema, resolve: (s?: Schema) => Schema): unknown[] {
  const allowed = allowedTypes(s, resolve);
  if (allowed === null) return [];
  return WRONG_VALUES.filter(([t]) => !allowed.has(t)).map(([, v]) => v);
}

/** A plausible valid value for a schema: its example, default, enum member, or one built from its type. */
function sample(schema: Schema | undefined, resolve: (s?: Schema) => Schema): unknown {
  const s = resolve(schema);
  if ("example" in s) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ("default" in s) return s.default;
  if ("const" in s) return s.const;
  if (s.enum?.length) return s.enum[0];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const nonNull = alternatives.find((a) => resolve(a).type !== "null") ?? alternatives[0];
    return sample(nonNull, resolve);
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((a) => sample(a, resolve) as object));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "string":
      switch (s.format) {
        case "email":
          return "sweep@example.com";
        case "date":
          return "2026-05-14";
        case "date-time":
          return "2026-05-14T01:00:00Z";
        case "uuid":
          return "6f1f5c1e-8f3b-4a7e-9d7a-2b1c3d4e5f60";
        case "uri":
          return "https://example.com/";
      }
      return "x".repeat(Math.max(1, Number(s.minLength ?? 1)));
    case "number":
    case "integer":
      return Number(s.minimum ?? (s.exclusiveMinimum !== undefined ? Number(s.exclusiveMinimum) + 1 : 1));
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: Number(s.minItems ?? 0) }, () => sample(s.items, resolve));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = sample(s.properties?.[name], resolve);
      return out;
    }
  }
  return "x";
}

/** Query or path values that break a parameter's schema (wrong type, out of range, too long, not a member). */
function badParamValues(schema: Schema | undefined, resolve: (s?: Schema) => Schema): string[] {
  const s = resolve(schema);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return badParamValues(alternatives.find((a) => resolve(a).type !== "null"), resolve);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  const out: string[] = [];
  if (s.enum?.length) out.push("definitely_not_a_member");
  if (type === "number" || type === "integer") {
    out.push("abc", "1e400", "NaN");
    if (type === "integer") out.push("1.5");
    if (typeof s.minimum === "number") out.push(String(s.minimum - 1));
    if (typeof s.maximum === "number") out.push(String(s.maximum + 1));
    if (typeof s.exclusiveMinimum === "number") out.push(String(s.exclusiveMinimum));
    if (typeof s.exclusiveMaximum === "number") out.push(String(s.exclusiveMaximum));
  } else if (type === "boolean") {
    out.push("maybe", "2");
  } else if (type === "string" && !s.enum) {
    if (typeof s.maxLength === "number") out.push("x".repeat(s.maxLength + 1));
    if (s.format === "date") out.push("2026-13-45", "yesterday");
    if (s.format === "date-time") out.push("yesterday");
    if (s.format === "email") out.push("not-an-email");
    if (typeof s.pattern === "string") {
      const re = new RegExp(s.pattern, "u");
      for (const candidate of ["!!", "x".repeat(300), "%"]) if (!re.test(candidate)) out.push(candidate);
    }
  }
  return [...new Set(out)];
}

/** Values for a path parameter that no record can have, or that are hostile; the answer must still be a 4xx. */
function hostilePathValues(schema: Schema | undefined, resolve: (s?: Schema) => Schema): string[] {
  return [
    ...badParamValues(schema, resolve),
    "does-not-exist-0000",
    "%00",
    "..%2F..%2Fetc",
    "%F0%9F%98%80",
    "%E0%A4%A",
  ];
}

interface Role {
  name: "anonymous" | "user" | "admin";
  token?: string;
}

interface Case {
  label: string;
  init: { body?: BodyInit; headers?: Record<string, string> };
  /** Exact status expected from an authorised caller, or `null` when any documented 4xx (or a 2xx) is fine. */
  expect: number | null;
  /** When set, the 422 must include an issue whose `loc` starts with these parts. */
  loc?: (string | number)[];
  /** The case is a valid request that may succeed (e.g. `{}` when no field is required). */
  mayPass?: boolean;
}

/** Checks a response against the documented error shapes; returns the problems found. */
async function problemsOf(res: Response, c: Case, expected: number | null): Promise<string[]> {
  const text = await res.text();
  const problems: string[] = [];
  const say = (what: string) =>
    problems.push(`${c.label}: ${what} (status ${res.status}, body ${text.slice(0, 240)})`);
  if (res.status >= 500) return [`${c.label}: server error ${res.status}: ${text.slice(0, 240)}`];
  if (!res.headers.get("x-correlation-id")) say("no X-Correlation-ID header");
  if (c.mayPass && res.status < 300) return problems;
  if (res.status < 400) {
    return [...problems, `${c.label}: expected a 4xx, got ${res.status}: ${text.slice(0, 240)}`];
  }
  if (expected !== null && res.status !== expected) say(`expected ${expected}`);
  if (!/^application\/json\b/.test(res.headers.get("content-type") ?? "")) {
    say("content-type is not application/json");
  }
  let body: { detail?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    say("body is not JSON");
    return problems;
  }
  if (res.status === 422) {
    const issues = body.detail as { type?: unknown; loc?: unknown; msg?: unknown }[];
    if (!Array.isArray(issues) || issues.length === 0) {
      say('422 without a non-empty "detail" array');
      return problems;
    }
    for (const issue of issues) {
      const loc = issue.loc as unknown[];
      if (typeof issue.type !== "string" || typeof issue.msg !== "string" || !Array.isArray(loc)) {
        say(`422 issue not {type, loc, msg}: ${JSON.stringify(issue)}`);
      } else if (!["body", "query", "path"].includes(loc[0] as string)) {
        say(`422 issue loc[0] is ${JSON.stringify(loc[0])}`);
      }
    }
    const want = c.loc;
    if (want && expected === 422) {
      const hit = issues.some((i) =>
        Array.isArray(i.loc) && want.every((part, k) => (i.loc as unknown[])[k] === part)
      );
      if (!hit) say(`no 422 issue at ${JSON.stringify(want)}`);
    }
  } else if (typeof body.detail !== "string") {
    say('expected {"detail": string}');
  }
  return problems;
}

/** The body cases for an operation whose request body is JSON. */
function jsonBodyCases(bodySchema: Schema | undefined, resolve: (s?: Schema) => Schema): Case[] {
  const root = resolve(bodySchema);
  const json = (value: unknown) => ({ body: JSON.stringify(value), headers: JSON_CT });
  const cases: Case[] = [];
  const props = root.properties;
  const required = root.required ?? [];
  const base = sample(root, resolve) as Record<string, unknown>;
  if (props && base && typeof base === "object" && !Array.isArray(base)) {
    for (const [name, propSchema] of Object.entries(props)) {
      for (const wrong of wrongTypeValues(resolve(propSchema), resolve)) {
        cases.push({
          label: `${name} = ${JSON.stringify(wrong)}`,
          init: json({ ...base, [name]: wrong }),
          expect: 422,
          loc: ["body", name],
        });
      }
    }
    for (const [name, propSchema] of Object.entries(props)) {
      const prop = resolve(propSchema);
      if (!allowedTypes(prop, resolve)?.has("string") || prop.enum || "const" in prop) continue;
      const valid = sample(propSchema, resolve);
      const text = typeof valid === "string" && valid.length > 0 ? valid : "x";
      for (const [what, ch] of UNSAFE_CHARACTERS) {
        const middle = Math.max(1, Math.floor(text.length / 2));
        cases.push({
          label: `${name} with ${what}`,
          init: json({ ...base, [name]: `${text.slice(0, middle)}${ch}${text.slice(middle)}` }),
          expect: 422,
          loc: ["body", name],
        });
      }
    }
    for (const name of required) {
      const rest = { ...base };
      delete rest[name];
      cases.push({ label: `missing ${name}`, init: json(rest), expect: 422, loc: ["body", name] });
    }
    cases.push({
      label: "extra unknown field",
      init: json({ ...base, [EXTRA_FIELD]: 1 }),
      expect: 422,
      loc: ["body", EXTRA_FIELD],
    });
    const first = Object.keys(props)[0];
    const wrong = wrongTypeValues(resolve(props[first]), resolve)[0];
    if (wrong !== undefined) {
      const prefix = JSON.stringify({ ...base, [first]: sample(props[first], resolve) }).slice(0, -1);
      const text = `${prefix}${prefix.length > 1 ? "," : ""}${JSON.stringify(first)}:${
        JSON.stringify(wrong)
      }}`;
      cases.push({
        label: `duplicate key ${first} (last is wrong)`,
        init: { body: text, headers: JSON_CT },
        expect: 422,
        loc: ["body", first],
      });
      const deep = `{${JSON.stringify(first)}:${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
      cases.push({ label: `deeply nested ${first}`, init: { body: deep, headers: JSON_CT }, expect: null });
    }
  }
  for (const [label, value] of [["[]", []], ["null", null], ['"text"', "text"], ["42", 42]] as const) {
    cases.push({ label: `body ${label}`, init: json(value), expect: 422, loc: ["body"] });
  }
  cases.push({ label: "empty body", init: { body: "", headers: JSON_CT }, expect: 422, loc: ["body"] });
  cases.push({ label: "non-JSON text", init: { body: "this is { not json", headers: JSON_CT }, expect: 422 });
  cases.push({ label: "truncated JSON", init: { body: '{"a": ', headers: JSON_CT }, expect: 422 });
  cases.push({
    label: "JSON sent as text/plain",
    init: { body: JSON.stringify(base ?? {}), headers: { "content-type": "text/plain" } },
    expect: 415,
  });
  cases.push({ label: "no content type, empty body", init: { body: "" }, expect: 415 });
  cases.push({ label: "no content type, no body", init: {}, expect: 415 });
  cases.push({
    label: "no content type, JSON body",
    init: { body: JSON.stringify(base ?? {}) },
    expect: 415,
  });
  cases.push({
    label: "empty content type, empty body",
    init: { body: "", headers: { "content-type": "" } },
    expect: 415,
  });
  cases.push({ label: "2 MiB body", init: { body: TWO_MIB, headers: JSON_CT }, expect: 413 });
  // Last: `{}` is valid when nothing is required, and a valid call may change state (e.g. logout).
  const requiresFields = required.length > 0;
  cases.push({ label: "{}", init: json({}), expect: requiresFields ? 422 : null, mayPass: !requiresFields });
  return cases;
}

/** Fills `{name}` placeholders of a path with the given values (already URL-encoded). */
function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? "x");
}

/** Runs the sweep for one operation as one role; returns the problems found. */
async function sweepOperation(
  w: TestWorld,
  method: string,
  path: string,
  op: Operation,
  role: Role,
  authorised: boolean,
  resolve: (s?: Schema) => Schema,
): Promise<string[]> {
  const denied = role.name === "anonymous" ? 401 : 403;
  const params = (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) }));
  const pathValues: Record<string, string> = {};
  for (const p of params.filter((p) => p.in === "path")) {
    pathValues[p.name] = encodeURIComponent(String(sample(p.schema, resolve)));
  }
  const validQuery = new URLSearchParams();
  for (const p of params.filter((p) => p.in === "query" && p.required)) {
    validQuery.set(p.name, String(sample(p.schema, resolve)));
  }
  const problems: string[] = [];
  const send = async (url: string, c: Case, expect: number | null) => {
    const headers = { ...(c.init.headers ?? {}) };
    if (role.token) headers["authorization"] = `Bearer ${role.token}`;
    const res = await w.app.request(url, { method: method.toUpperCase(), headers, body: c.init.body });
    requestsSent++;
    problems.push(...await problemsOf(res, { ...c, label: `[${role.name}] ${c.label}` }, expect));
  };
  const withQuery = (p: string, q: URLSearchParams) => (q.size > 0 ? `${p}?${q}` : p);

  for (const p of params.filter((p) => p.in === "query")) {
    for (const bad of badParamValues(p.schema, resolve)) {
      const q = new URLSearchParams(validQuery);
      q.set(p.name, bad);
      const c: Case = {
        label: `?${p.name}=${bad.slice(0, 20)}`,
        init: {},
        expect: 422,
        loc: ["query", p.name],
      };
      await send(withQuery(fillPath(path, pathValues), q), c, authorised ? 422 : denied);
    }
  }
  for (const p of params.filter((p) => p.in === "path")) {
    for (const bad of hostilePathValues(p.schema, resolve)) {
      const value = /%[0-9A-F]{2}|%/i.test(bad) ? bad : encodeURIComponent(bad);
      const c: Case = { label: `{${p.name}}=${bad.slice(0, 20)}`, init: {}, expect: null };
      const body = method === "get" || method === "delete" ? {} : { body: "{}", headers: JSON_CT };
      await send(withQuery(fillPath(path, { ...pathValues, [p.name]: value }), validQuery), {
        ...c,
        init: body,
      }, authorised ? null : denied);
    }
  }
  const url = withQuery(fillPath(path, pathValues), validQuery);
  const content = op.requestBody?.content;
  if (content?.["application/json"]) {
    const optional = op.requestBody?.required === false;
    for (const c of jsonBodyCases(content["application/json"].schema, resolve)) {
      // Size and media type are checked before authentication. A route whose body is optional takes no body
      // at all (no content type either) as `{}`: whatever the route then answers, never a 5xx.
      const bodiless = optional && c.label === "no content type, no body";
      const expect = bodiless
        ? null
        : c.expect === 413 || c.expect === 415
        ? c.expect
        : authorised
        ? c.expect
        : denied;
      await send(url, c, expect);
    }
  } else if (content) {
    // A non-JSON body (e.g. a CSV upload) has its own, larger limit: 2 MiB of junk must still be a clean 4xx.
    const type = Object.keys(content)[0];
    await send(url, {
      label: `2 MiB ${type} junk`,
      init: { body: TWO_MIB, headers: { "content-type": type } },
      expect: null,
    }, authorised ? null : denied);
    await send(
      url,
      { label: "JSON instead", init: { body: "{}", headers: JSON_CT }, expect: null },
      authorised ? 415 : denied,
    );
    await send(url, { label: "empty body", init: { body: "" }, expect: null }, authorised ? null : denied);
  } else if (method !== "get") {
    await send(url, { label: "2 MiB body", init: { body: TWO_MIB, headers: JSON_CT }, expect: 413 }, 413);
  }
  return problems;
}

Deno.test("every route answers malformed input with a documented 4xx, never a 5xx", async (t) => {
  const w = await openTestWorld(GENEROUS_LIMITS);
  try {
    const doc: Doc = await (await w.request("GET", "/openapi.json")).json();
    const resolve = resolver(doc);
    let n = 0;
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method)) continue;
        operations++;
        await t.step(`${method.toUpperCase()} ${path}`, async () => {
          n++;
          const secured = (op.security ?? []).length > 0;
          const adminOnly = path.startsWith("/api/v1/admin/") || /^Admin:/.test(op.summary ?? "");
          const user = await signInWithOtp(w, `sweep${n}@example.com`, `10.1.0.${n % 250}`);
          const roles: [Role, boolean][] = [
            [{ name: "anonymous" }, !secured],
            [{ name: "user", token: user.access_token }, !adminOnly],
          ];
          if (adminOnly) roles.push([{ name: "admin", token: (await signInAdmin(w)).access_token }, true]);
          const problems: string[] = [];
          for (const [role, authorised] of roles) {
            problems.push(...await sweepOperation(w, method, path, op, role, authorised, resolve));
          }
          assert.deepEqual(problems, [], `${method.toUpperCase()} ${path}:\n  ${problems.join("\n  ")}`);
        });
      }
    }
    assert.ok(operations >= 20, `expected the whole API in /openapi.json, found ${operations} operations`);
    assert.ok(requestsSent >= operations * 10, `the sweep sent only ${requestsSent} requests`);
  } finally {
    await w.close();
  }
});
