/**
 * Checks a real JSON response against the response schema that the app's OpenAPI document declares for it.
 *
 * Strict: an object key the schema does not declare fails (an object without `additionalProperties` takes no
 * extra keys; a map's extra keys are checked against its typed `additionalProperties`), as do a wrong JSON type,
 * a missing required key, a value outside an `enum` or `const`, and a status the operation does not declare.
 * `$ref`s, nullable types, arrays and `anyOf`/`oneOf`/`allOf` are followed.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../routes/app_env.ts";

/** The parts of an OpenAPI 3.1 document the checker reads. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseEntry> }>>;
  components?: { schemas?: Record<string, Schema> };
}

interface ResponseEntry {
  content?: Record<string, { schema?: Schema }>;
}

/** A JSON Schema (the subset OpenAPI 3.1 documents use). */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  not?: Schema;
};

/**
 * Statuses that app-wide middleware can give on any route (body too large, request target too long, unexpected
 * error, deadline passed): an operation need not declare them, and their body is the `Error` component.
 */
export const APP_WIDE_ERROR_STATUSES: readonly number[] = [413, 414, 500, 503];

/** The documented operation (path template) that serves `method` on `pathname`, if any. */
export function matchOperation(doc: OpenApiDoc, method: string, pathname: string): string | undefined {
  const m = method.toLowerCase();
  const candidates = Object.keys(doc.paths).filter((template) => {
    if (!doc.paths[template][m]) return false;
    const pattern = template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, "\\$&")).join(
      "[^/]+",
    );
    return new RegExp(`^${pattern}$`).test(pathname);
  });
  // A literal segment beats a parameter (`/backtests/run` over `/backtests/{id}`).
  const params = (t: string) => t.split("{").length;
  return candidates.sort((a, b) => params(a) - params(b))[0];
}

/**
 * The contract problems of one response (empty when it conforms). A path no operation documents (e.g. the
 * 404 for an unknown URL) and a body that is not JSON are not checked.
 */
export function checkResponse(
  doc: OpenApiDoc,
  req: { method: string; pathname: string },
  res: { status: number; contentType: string | null; body: unknown },
): string[] {
  const template = matchOperation(doc, req.method, req.pathname);
  if (!template) return [];
  if (!res.contentType?.includes("application/json")) return [];
  const where = `${req.method.toUpperCase()} ${template} → ${res.status}`;
  const responses = doc.paths[template][req.method.toLowerCase()].responses ?? {};
  const entry = responses[String(res.status)] ?? responses[`${String(res.status)[0]}XX`] ?? responses.default;
  const appWide = APP_WIDE_ERROR_STATUSES.includes(res.status)
    ? { $ref: "#/components/schemas/Error" }
    : undefined;
  if (!entry && !appWide) return [`${where}: status not declared`];
  const schema = entry ? entry.content?.["application/json"]?.schema : appWide;
  if (!schema) return [`${where}: no application/json schema declared`];
  return checkValue(doc, schema, res.body, "$").map((p) => `${where}: ${p}`);
}

/** The problems of `value` against `schema`, each prefixed with its JSON path (`$.items[0].name`). */
export function checkValue(doc: OpenApiDoc, schema: Schema, value: unknown, at: string): string[] {
  const s = resolve(doc, schema);
  if (s.allOf) return checkAllOf(doc, s, value, at);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const results = branches.map((b) => checkValue(doc, b, value, at));
    if (results.some((r) => r.length === 0)) return [];
    return results.sort((a, b) => a.length - b.length)[0];
  }
  if (s.const !== undefined && value !== s.const) return [`${at}: expected ${JSON.stringify(s.const)}`];
  if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of the enum`];
  const types = s.type === undefined ? [] : [s.type].flat();
  if (s.nullable) types.push("null");
  if (types.length > 0 && !types.includes(jsonType(value)) && !(types.includes("number") && isInt(value))) {
    return [`${at}: expected ${types.join(" or ")}, got ${jsonType(value)}`];
  }
  if (Array.isArray(value) && s.items) {
    return value.flatMap((v, i) => checkValue(doc, s.items!, v, `${at}[${i}]`));
  }
  if (isObject(value) && (s.properties || s.additionalProperties !== undefined || types.includes("object"))) {
    return checkObject(doc, s, value, at, new Set());
  }
  return [];
}

/** The parts of an `allOf`, with parts that are themselves `allOf` (an extended schema extended again) opened up. */
function flattenAllOf(doc: OpenApiDoc, s: Schema): Schema[] {
  return s.allOf!.flatMap((p) => {
    const r = resolve(doc, p);
    return r.allOf ? flattenAllOf(doc, r) : [r];
  });
}

/** `allOf`: the value meets every part, and a key declared by any part is not extra for the others. */
function checkAllOf(doc: OpenApiDoc, s: Schema, value: unknown, at: string): string[] {
  const parts = flattenAllOf(doc, s);
  if (!isObject(value)) return parts.flatMap((p) => checkValue(doc, p, value, at));
  const declared = new Set(parts.flatMap((p) => Object.keys(p.properties ?? {})));
  return parts.flatMap((p) =>
    p.properties || p.additionalProperties !== undefined
      ? checkObject(doc, p, value, at, declared)
      : checkValue(doc, p, value, at)
  );
}

function checkObject(
  doc: OpenApiDoc,
  s: Schema,
  value: Record<string, unknown>,
  at: string,
  declaredElsewhere: Set<string>,
): string[] {
  const problems: string[] = [];
  const props = s.properties ?? {};
  for (const key of s.required ?? []) {
    if (!(key in value)) problems.push(`${at}: missing required key "${key}"`);
  }
  for (const [key, v] of Object.entries(value)) {
    const path = `${at}.${key}`;
    if (key in props) problems.push(...checkValue(doc, props[key], v, path));
    else if (declaredElsewhere.has(key)) continue;
    else if (typeof s.additionalProperties === "object") {
      problems.push(...checkValue(doc, s.additionalProperties, v, path));
    } else if (s.additionalProperties !== true) problems.push(`${path}: key not declared by the schema`);
  }
  return problems;
}

/** Follows `$ref`s to `#/components/schemas/…`. */
export function resolve(doc: OpenApiDoc, schema: Schema): Schema {
  let s = schema;
  for (let hops = 0; s.$ref && hops < 32; hops++) {
    const name = s.$ref.replace("#/components/schemas/", "");
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const documents = new Map<string, OpenApiDoc>();

/** The app's OpenAPI 3.1 document, generated once per set of routes (every test world has the same). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): OpenApiDoc {
  const routes = app.openAPIRegistry.definitions.map((d) =>
    d.type === "route" ? `${d.route.method} ${d.route.path}` : ""
  );
  const key = routes.join("\n");
  let doc = documents.get(key);
  if (!doc) {
    const generated = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Quantedge", version: "test" },
    });
    doc = JSON.parse(JSON.stringify(generated)) as OpenApiDoc; // as `/openapi.json` serves it
    documents.set(key, doc);
  }
  return doc;
}

/** Throws when `res` (a response of `app` to `method path`) breaks the contract; reads a clone of the body. */
export async function assertMeetsContract(
  app: OpenAPIHono<AppEnv>,
  method: string,
  path: string,
  res: Response,
): Promise<void> {
  const contentType = res.headers.get("content-type");
  if (!contentType?.includes("application/json")) return;
  const body = await res.clone().json();
  const pathname = new URL(path, "http://localhost").pathname;
  const problems = checkResponse(openApiDocument(app), { method, pathname }, {
    status: res.status,
    contentType,
    body,
  });
  if (problems.length > 0) {
    throw new Error(`Response breaks the OpenAPI contract:\n  ${problems.join("\n  ")}`);
  }
}

/**
 * Every place in a response schema that accepts undeclared
 * data: an empty schema (any value), an object whose `additionalProperties` is `true` or untyped, or an object
 * with no properties and no typed `additionalProperties`. A map keyed by user data with a typed
 * `additionalProperties` is fine. Each place is named by its operation, status and JSON path.
 */
export function catchAllSchemas(doc: OpenApiDoc): string[] {
  const found: string[] = [];
  const visit = (schema: Schema, at: string, seen: Set<string>) => {
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return;
      return visit(
        resolve(doc, schema),
        `${at}(${schema.$ref.split("/").at(-1)})`,
        new Set([...seen, schema.$ref]),
      );
    }
    const parts = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
    parts.forEach((p, i) => visit(p, `${at}|${i}`, seen));
    const types = [schema.type ?? []].flat();
    const typed = types.length > 0 || parts.length > 0 || schema.const !== undefined ||
      schema.enum !== undefined;
    if (!typed && !schema.properties && schema.additionalProperties === undefined) {
      if (!schema.not) found.push(`${at}: any value`);
      return;
    }
    const extra = schema.additionalProperties;
    if (extra === true || (typeof extra === "object" && Object.keys(extra).length === 0)) {
      found.push(`${at}: undeclared keys allowed`);
    } else if (typeof extra === "object") visit(extra, `${at}.*`, seen);
    else if (types.includes("object") && !schema.properties && extra === undefined && !parts.length) {
      found.push(`${at}: object without properties`);
    }
    for (const [k, v] of Object.entries(schema.properties ?? {})) visit(v, `${at}.${k}`, seen);
    if (schema.items) visit(schema.items, `${at}[]`, seen);
  };
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, entry] of Object.entries(op.responses ?? {})) {
        for (const [media, m] of Object.entries(entry.content ?? {})) {
          if (m.schema && media.includes("json")) {
            visit(m.schema, `${method.toUpperCase()} ${template} ${status} $`, new Set());
          }
        }
      }
    }
  }
  return found;
}
