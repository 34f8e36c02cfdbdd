/** Number formats of the backtest pages, the same as `web/client/dom.js` writes them in the browser. */

/** A number with fixed decimals and thousands separators; "—" for null or not finite. */
export function fmtNumber(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A value already in percent: `12.345` → "12.35%". */
export function fmtPct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : `${fmtNumber(v, digits)}%`;
}

/** The class of a signed number: `pos`, `neg`, or none for null. */
export function signClass(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "" : v >= 0 ? "pos" : "neg";
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM UTC`; "—" for null. */
export function fmtTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—";
}
