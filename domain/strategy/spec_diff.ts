/** Field-by-field differences between two specs (dotted paths, JSON values), for version comparisons. */

/** Every leaf path where `a` and `b` differ, in a stable order. */
export function specDifferences(
  a: unknown,
  b: unknown,
  path = "",
): { path: string; a: unknown; b: unknown }[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => specDifferences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, a: a ?? null, b: b ?? null }];
}
