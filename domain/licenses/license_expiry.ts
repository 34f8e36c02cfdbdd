/**
 * The daily licence expiry job: every licence whose `expires` day (UTC) is before the job's date and that the
 * job has not processed yet is marked processed (once), its holder is moved back to the `free` tier when their
 * tier is `licensed` and they hold no valid licence, and they are notified.
 */
import { updateUser } from "../auth/identity.ts";
import { isIsoDate } from "../calendar/dates.ts";
import { ValidationError } from "../errors.ts";
import { notifyUser } from "../support/notifications.ts";
import { isExpired, utcToday } from "./license_views.ts";
import type { LicenseServices } from "./services.ts";

/** Licences read from the expiry index per batch. */
const BATCH = 100;

/** What one run did. */
export interface LicenseExpirySummary {
  date: string;
  /** Licences this run processed (marked expired). */
  expired: number;
  /** Users this run moved from `licensed` back to `free`. */
  downgraded: number;
}

/** Whether the user's current licence is valid on `today`. */
async function holdsValidLicense(deps: LicenseServices, userId: string, today: string): Promise<boolean> {
  const license = await deps.licenses.getLicense(userId);
  return license !== null && !isExpired(license.expires, today);
}

/**
 * Processes the licences expired before `date` (default: today, UTC; a later date is refused). Each licence is processed at most once
 * (it is marked before its holder is downgraded and notified), so a second run for the same date does nothing.
 * The loop ends because every listed index entry is either processed or dropped.
 */
export async function expireLicenses(deps: LicenseServices, date?: string): Promise<LicenseExpirySummary> {
  const today = date ?? utcToday(deps.clock.now());
  if (!isIsoDate(today)) throw new ValidationError("date must be YYYY-MM-DD", ["date"]);
  // Expiry follows the real calendar: a run "for" a later date would end licences that are still valid.
  if (today > utcToday(deps.clock.now())) {
    throw new ValidationError(
      `date may not be after today (${utcToday(deps.clock.now())}, UTC): licences expire by the calendar`,
      ["date"],
    );
  }
  const summary: LicenseExpirySummary = { date: today, expired: 0, downgraded: 0 };
  for (;;) {
    const batch = await deps.licenses.listExpiringBefore(today, BATCH);
    if (batch.length === 0) break;
    for (const entry of batch) {
      const license = await deps.licenses.markExpiryProcessed(entry, deps.clock.now());
      if (!license) continue;
      summary.expired++;
      const downgraded = await downgrade(deps, license.user_id, today);
      if (downgraded) summary.downgraded++;
      try {
        await notifyUser(deps.notifications, license.user_id, {
          kind: "license_expired",
          title: "Your QuantOS license has expired",
          body:
            `License ${license.id} for ${license.customer} expired at the end of ${license.expires} (UTC).` +
            (downgraded ? " Your account is back on the free tier." : "") +
            " Request a new license to keep using QuantOS.",
          link: deps.links.license,
        });
      } catch (e) {
        deps.log("warn", "license notification failed", {
          user_id: license.user_id,
          kind: "license_expired",
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
  }
  return summary;
}

/**
 * Moves the user from `licensed` to `free` unless they hold a valid licence; answers whether it did. An approval
 * that lands while this runs is re-checked afterwards and the tier restored, so a new licence keeps its tier.
 */
async function downgrade(deps: LicenseServices, userId: string, today: string): Promise<boolean> {
  const user = await deps.auth.users.get(userId);
  if (!user || user.tier !== "licensed") return false;
  if (await holdsValidLicense(deps, userId, today)) return false;
  await updateUser(deps.auth, userId, { tier: "free" });
  if (await holdsValidLicense(deps, userId, today)) {
    await updateUser(deps.auth, userId, { tier: "licensed" });
    return false;
  }
  return true;
}
