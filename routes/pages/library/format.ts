/** Number and time formatting of the library area's server-rendered tables (display only, no arithmetic). */

/** A number with `digits` decimals and thousands separators; "—" for null. */
export function fmtNumber(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A value already in percent: `12.35%`; "—" for null. */
export function fmtPct(v: number | null | undefined, digits = 2): string {
  const s = fmtNumber(v, digits);
  return s === "—" ? s : `${s}%`;
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM UTC` (the text of a `<time datetime>`). */
export function fmtTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

/** The class of a numeric cell: `num`, with `pos` or `neg` for a signed figure. */
export function numClass(v: number | null | undefined): string {
  if (v === null || v === undefined || v === 0) return "num";
  return v > 0 ? "num pos" : "num neg";
}
