/**
 * Number and time formats of the server-rendered pages: the same text `web/client/dom.js` writes in the browser
 * (fixed decimals with thousands separators, "—" for a missing or non-finite figure), so a value reads the same
 * whether the server or a page script drew it. Display only: no arithmetic beyond scaling a fraction to percent.
 */

const MISSING = "—";

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** A number with `digits` decimals and thousands separators: `1234.5` → "1,234.50"; "—" for null/NaN. */
export function fmtNumber(v: number | null | undefined, digits = 2): string {
  if (!finite(v)) return MISSING;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A value already in percent: `12.345` → "12.35%"; "—" for null/NaN. */
export function fmtPct(v: number | null | undefined, digits = 2): string {
  return finite(v) ? `${fmtNumber(v, digits)}%` : MISSING;
}

/** A fraction as a percentage: `0.1234` → "12.34%"; "—" for null/NaN. */
export function fmtFraction(v: number | null | undefined, digits = 2): string {
  return finite(v) ? fmtPct(v * 100, digits) : MISSING;
}

/** The class of a signed figure: "pos" above 0, "neg" below, "" for 0, null or NaN. */
export function signClass(v: number | null | undefined): string {
  if (!finite(v) || v === 0) return "";
  return v > 0 ? "pos" : "neg";
}

/** The class of a numeric table cell: "num", with "pos"/"neg" for a signed figure (see `signClass`). */
export function numClass(v: number | null | undefined): string {
  return `num ${signClass(v)}`.trim();
}

/** An ISO instant as `YYYY-MM-DD HH:MM UTC`; "—" for null or empty; any other text is shown as it is. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}
