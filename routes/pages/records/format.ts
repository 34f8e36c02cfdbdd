/** Number formats of the track-record pages (server side; "—" for a missing figure). */

/** A number with fixed decimals and thousands separators. */
export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A fraction as a percentage: 0.1234 → "12.34%". */
export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : `${num(v * 100, digits)}%`;
}

/** The class of a signed figure: `pos`, `neg` or none. */
export function signClass(v: number | null | undefined): string | undefined {
  if (v === null || v === undefined || !Number.isFinite(v) || v === 0) return undefined;
  return v > 0 ? "pos" : "neg";
}
