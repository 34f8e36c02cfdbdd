/** The API views of licence requests and licences, and the date rules they share. */
import { fromDayNumber } from "../calendar/dates.ts";
import { iso, isoOrNull } from "../iso_time.ts";
import type { LicenseRecord, LicenseRequestRecord, LicenseRequestStatus } from "../store/license_repo.ts";

/** Milliseconds in a day. */
const DAY_MS = 86_400_000;

/** Today's date in UTC at `nowMs` (licences are valid through the end of their `expires` day, UTC). */
export function utcToday(nowMs: number): string {
  return fromDayNumber(Math.floor(nowMs / DAY_MS));
}

/** Whether a licence expiring on `expires` is expired on `today` (valid through the end of `expires`, UTC). */
export function isExpired(expires: string, today: string): boolean {
  return expires < today;
}

/** A request as its author sees it right after creating it. */
export interface CreatedRequestView {
  id: string;
  customer: string;
  fingerprint: string;
  status: "pending";
  note: string | null;
  created_at: string;
}

/** A request as an admin sees it. */
export interface AdminRequestView {
  id: string;
  user_id: string;
  customer: string;
  fingerprint: string;
  note: string | null;
  status: LicenseRequestStatus;
  admin_reply: string | null;
  created_at: string;
  decided_at: string | null;
}

/** A licence as its holder sees it (`expired` on the UTC day of the answer). */
export interface LicenseView {
  has_license: true;
  id: string;
  customer: string;
  fingerprint: string;
  expires: string;
  max_cores: number;
  max_memory_gb: number;
  created_at: string;
  expired: boolean;
  key_id: string;
}

/** The view of a request as an admin sees it. */
export function toAdminRequestView(r: LicenseRequestRecord): AdminRequestView {
  return {
    id: r.id,
    user_id: r.user_id,
    customer: r.customer,
    fingerprint: r.fingerprint,
    note: r.note,
    status: r.status,
    admin_reply: r.admin_reply,
    created_at: iso(r.created_at),
    decided_at: isoOrNull(r.decided_at),
  };
}

/** The view of a licence on `today` (UTC). */
export function toLicenseView(l: LicenseRecord, today: string): LicenseView {
  return {
    has_license: true,
    id: l.id,
    customer: l.customer,
    fingerprint: l.fingerprint,
    expires: l.expires,
    max_cores: l.max_cores,
    max_memory_gb: l.max_memory_gb,
    created_at: iso(l.created_at),
    expired: isExpired(l.expires, today),
    key_id: l.key_id,
  };
}
