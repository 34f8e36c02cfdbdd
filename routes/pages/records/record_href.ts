/** Links within a record page that keep the rest of its selection (day, days page, audit page). */
import type { RecordSelection } from "./query.ts";

/** `/app/records/<slug>?…` with `sel` (defaults left out) and an optional fragment. */
export function recordHref(slug: string, sel: Partial<RecordSelection>, fragment = ""): string {
  const q = new URLSearchParams();
  if (sel.day) q.set("day", sel.day);
  if (sel.days_offset) q.set("days_offset", String(sel.days_offset));
  if (sel.audit_offset) q.set("audit_offset", String(sel.audit_offset));
  const query = q.size ? `?${q}` : "";
  return `/app/records/${encodeURIComponent(slug)}${query}${fragment ? `#${fragment}` : ""}`;
}
