/**
 * Checks an answer against a product document's example, the way a client written from the document reads
 * it: every key the example shows must be there, with the same JSON type, recursively.
 */
import assert from "node:assert/strict";

/** JSON type of a value as the documents' examples show it: null, array, object, string, number, boolean. */
export const jsonType = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** How strictly `assertDocumentShape` reads the example. */
export interface DocumentShapeOptions {
  /**
   * The types a field may have where the example shows `null` (by key); default `["string"]` (the documents
   * show nullable text as null). `null` itself is always allowed there.
   */
  nullAs?: Record<string, readonly string[]>;
  /** Paths (`$.records[].nav`) where `null` may stand for the documented type, or `true` for every field. */
  nullable?: readonly string[] | true;
  /** Keys whose values must be integers (ids a document shows as integers). */
  integers?: ReadonlySet<string>;
}

/** The most items of one array checked against the example's first item. */
const MAX_ITEMS = 50;

/**
 * Asserts `actual` has every key of the document's `example` with the same JSON type, recursing into objects and
 * into arrays: every record (up to 50) of a list of records, the first item of a list of plain values, each
 * against the example's first item.
 */
export function assertDocumentShape(
  actual: unknown,
  example: unknown,
  opts: DocumentShapeOptions = {},
  path = "$",
  key = "",
): void {
  const want = jsonType(example);
  const got = jsonType(actual);
  if (want === "null") {
    const allowed = ["null", ...(opts.nullAs?.[key] ?? ["string"])];
    assert.ok(allowed.includes(got), `${path} is ${got}, the document shows null (or ${allowed.join("|")})`);
    return;
  }
  const mayBeNull = opts.nullable === true || (opts.nullable ?? []).includes(path);
  if (got === "null" && mayBeNull) return;
  assert.equal(got, want, `${path} is ${got}, the document shows ${want}`);
  if (opts.integers?.has(key)) assert.ok(Number.isInteger(actual), `${path} must be an integer`);
  if (want === "array") {
    const first = (example as unknown[])[0];
    if (first === undefined) return;
    // A list of plain values may be a tuple (a 422's `loc` is `["body", "signals", 2]`): its first item is
    // checked; a list of records is checked record by record.
    const items = jsonType(first) === "object"
      ? (actual as unknown[]).slice(0, MAX_ITEMS)
      : (actual as unknown[]).slice(0, 1);
    for (const item of items) {
      assertDocumentShape(item, first, opts, `${path}[]`, key);
    }
  } else if (want === "object") {
    const obj = actual as Record<string, unknown>;
    for (const [k, v] of Object.entries(example as Record<string, unknown>)) {
      assert.ok(k in obj, `missing documented field ${path}.${k}`);
      assertDocumentShape(obj[k], v, opts, `${path}.${k}`, k);
    }
  }
}

/** Asserts `value[key]` exists with one of the JSON types `types` (`"number|null"`). */
export function assertDocumentField(
  value: Record<string, unknown>,
  key: string,
  types: string,
  where = "$",
): void {
  assert.ok(key in value, `${where}: missing documented field "${key}"`);
  const got = jsonType(value[key]);
  assert.ok(types.split("|").includes(got), `${where}.${key} is ${got}, the document says ${types}`);
}
