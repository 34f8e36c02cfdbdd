/** Field-by-field differences between two specs (dotted paths, JSON values), for version comparisons. */

/** A JSON value (what a spec is made of). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Every leaf path where `a` and `b` differ, in a stable order; each side is the JSON value there (`null`: absent). */
export function specDifferences(
  a: unknown,
  b: unknown,
  path = "",
): { path: string; a: JsonValue; b: JsonValue }[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => specDifferences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  // Specs are parsed JSON, so what is found at a path is a JSON value.
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [{ path, a: (a ?? null) as JsonValue, b: (b ?? null) as JsonValue }];
}
