/**
 * QuantOS licence requests (document 002 "QuantOS License"): a user asks for a licence bound to a machine
 * fingerprint (one pending request at a time), an admin approves it (issuing a signed licence file, setting the
 * user's tier to `licensed`) or rejects it with a reply; the user is notified either way.
 */
import { updateUser } from "../auth/identity.ts";
import { isIsoDate } from "../calendar/dates.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { iso } from "../iso_time.ts";
import { findUnsafeCharacter } from "../safe_text.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { LicenseRecord, LicenseRequestRecord, LicenseRequestStatus } from "../store/license_repo.ts";
import { type NotifyInput, notifyUser } from "../support/notifications.ts";
import { newId } from "../tokens_and_hashes.ts";
import { issueLicenseFile } from "./license_file.ts";
import {
  type AdminRequestView,
  type CreatedRequestView,
  type LicenseView,
  toAdminRequestView,
  toLicenseView,
  utcToday,
} from "./license_views.ts";
import type { LicenseServices } from "./services.ts";

/** Longest customer name (characters). */
export const MAX_CUSTOMER_CHARS = 200;
/** Longest note or admin reply (characters). */
export const MAX_NOTE_CHARS = 2000;
/** The largest `max_cores` a licence may grant. */
export const MAX_LICENSE_CORES = 4096;
/** The largest `max_memory_gb` a licence may grant. */
export const MAX_LICENSE_MEMORY_GB = 65_536;

const FINGERPRINT = /^[0-9a-fA-F]{64}$/;

/** What a user sends to request a licence. */
export interface LicenseRequestInput {
  customer: string;
  /** 64 hex characters (any case; stored lower-case). */
  fingerprint: string;
  note?: string | null;
}

/** What an admin sends to approve a request. */
export interface ApproveInput {
  /** `YYYY-MM-DD` after today (UTC); the licence is valid through the end of that UTC day. */
  expires: string;
  max_cores: number;
  max_memory_gb: number;
  reply?: string | null;
}

/** A user's latest request, or none. */
export type MyRequestView =
  | { has_request: false }
  | ({ has_request: true } & Omit<AdminRequestView, "user_id">);

/** Checks a text field: 1–`max` characters (after trimming) and no control characters; answers it trimmed. */
function checkText(value: string, field: string, max: number, multiline: boolean, min = 1): string {
  const text = value.trim();
  if (text.length < min) throw new ValidationError(`${field} must not be empty`, [field]);
  if (text.length > max) throw new ValidationError(`${field} must be at most ${max} characters`, [field]);
  const unsafe = findUnsafeCharacter(text, multiline);
  if (unsafe) {
    throw new ValidationError(
      `${field} contains a ${unsafe.kind} (${unsafe.codePoint}) at position ${unsafe.index}`,
      [field],
      "string_unsafe_characters",
    );
  }
  return text;
}

/** Notifies without failing the operation that already committed (a failure is logged). */
async function notifyQuietly(deps: LicenseServices, userId: string, input: NotifyInput): Promise<void> {
  try {
    await notifyUser(deps.notifications, userId, input);
  } catch (e) {
    deps.log("warn", "license notification failed", {
      user_id: userId,
      kind: input.kind,
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

/**
 * Files a pending licence request for `userId`; `ConflictError` when the user already has a pending one (two
 * concurrent requests: exactly one is stored). Customer and note are trimmed; control characters are refused.
 */
export async function requestLicense(
  deps: LicenseServices,
  userId: string,
  input: LicenseRequestInput,
): Promise<CreatedRequestView> {
  const customer = checkText(input.customer, "customer", MAX_CUSTOMER_CHARS, false);
  if (!FINGERPRINT.test(input.fingerprint)) {
    throw new ValidationError("fingerprint must be 64 hexadecimal characters (SHA-256)", ["fingerprint"]);
  }
  const note = input.note === undefined || input.note === null
    ? null
    : checkText(input.note, "note", MAX_NOTE_CHARS, true, 0);
  const now = deps.clock.now();
  const record: LicenseRequestRecord = {
    id: newId("lr", now),
    user_id: userId,
    customer,
    fingerprint: input.fingerprint.toLowerCase(),
    note,
    status: "pending",
    admin_reply: null,
    created_at: now,
    decided_at: null,
    decided_by: null,
    license_id: null,
  };
  if (!(await deps.licenses.createRequest(record))) {
    const pending = await deps.licenses.pendingRequestId(userId);
    throw new ConflictError(
      `You already have a pending license request${pending ? ` (${pending})` : ""}; wait for its decision`,
    );
  }
  return {
    id: record.id,
    customer: record.customer,
    fingerprint: record.fingerprint,
    status: "pending",
    note: record.note,
    created_at: iso(record.created_at),
  };
}

/** The user's latest request (`{has_request: false}` when they never asked). */
export async function myLicenseRequest(deps: LicenseServices, userId: string): Promise<MyRequestView> {
  const latest = await deps.licenses.latestRequestOf(userId);
  if (!latest) return { has_request: false };
  const { user_id: _, ...view } = toAdminRequestView(latest);
  return { has_request: true, ...view };
}

/** Admin: requests (of one status, or all), newest first. */
export async function listLicenseRequests(
  deps: LicenseServices,
  status: LicenseRequestStatus | undefined,
  page: PageRequest,
): Promise<{ requests: AdminRequestView[]; total: number }> {
  const found: Page<LicenseRequestRecord> = await deps.licenses.listRequests(status, page);
  return { requests: found.items.map(toAdminRequestView), total: found.total };
}

function notPending(id: string, request: LicenseRequestRecord): ConflictError {
  return new ConflictError(
    `License request "${id}" was already ${request.status}; only a pending request can be decided`,
  );
}

/**
 * Admin: approves a pending request, issuing a signed licence that replaces the user's current one, sets the
 * user's tier to `licensed` and notifies them. `expires` must be after today (UTC). `NotFoundError` for an
 * unknown id; `ConflictError` when the request is no longer pending (approve racing reject: one wins).
 */
export async function approveLicenseRequest(
  deps: LicenseServices,
  adminId: string,
  id: string,
  input: ApproveInput,
): Promise<{ request: AdminRequestView; license: LicenseView }> {
  const now = deps.clock.now();
  const today = utcToday(now);
  if (!isIsoDate(input.expires)) throw new ValidationError("expires must be a date YYYY-MM-DD", ["expires"]);
  if (input.expires <= today) {
    throw new ValidationError(`expires must be after today (${today}, UTC)`, ["expires"]);
  }
  for (
    const [field, max] of [["max_cores", MAX_LICENSE_CORES], [
      "max_memory_gb",
      MAX_LICENSE_MEMORY_GB,
    ]] as const
  ) {
    const value = input[field];
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new ValidationError(`${field} must be an integer from 1 to ${max}`, [field]);
    }
  }
  const reply = input.reply === undefined || input.reply === null
    ? null
    : checkText(input.reply, "reply", MAX_NOTE_CHARS, true, 0);
  const signer = await deps.signer();
  const outcome = await deps.licenses.decideRequest(id, async (current) => {
    const licenseId = newId("lic", now);
    const file = await issueLicenseFile({
      license_id: licenseId,
      customer: current.customer,
      fingerprint: current.fingerprint,
      expires: input.expires,
      max_cores: input.max_cores,
      max_memory_gb: input.max_memory_gb,
      issued_at: iso(now),
      issuer: deps.issuer,
    }, signer);
    const license: LicenseRecord = {
      id: licenseId,
      user_id: current.user_id,
      request_id: current.id,
      customer: current.customer,
      fingerprint: current.fingerprint,
      expires: input.expires,
      max_cores: input.max_cores,
      max_memory_gb: input.max_memory_gb,
      created_at: now,
      key_id: file.payload.key_id,
      file_json: file.json,
      file_armored: file.armored,
      expiry_processed_at: null,
    };
    return {
      request: {
        ...current,
        status: "approved",
        admin_reply: reply,
        decided_at: now,
        decided_by: adminId,
        license_id: licenseId,
      },
      license,
    };
  });
  if (outcome.kind === "not_found") throw new NotFoundError(`License request "${id}" not found`);
  if (outcome.kind === "not_pending") throw notPending(id, outcome.request);
  const license = outcome.license!;
  await setLicensedTier(deps, license.user_id);
  await notifyQuietly(deps, license.user_id, {
    kind: "license_approved",
    title: "Your QuantOS license is approved",
    body:
      `License ${license.id} for ${license.customer} is valid through ${license.expires} (end of day, UTC) ` +
      `for up to ${license.max_cores} cores and ${license.max_memory_gb} GB of memory. Download it from your ` +
      `license page.${reply ? `\n\n${reply}` : ""}`,
    link: deps.links.license,
  });
  return { request: toAdminRequestView(outcome.request), license: toLicenseView(license, today) };
}

/** Sets the user's tier to `licensed` through the admin operation (a user that no longer exists is logged). */
async function setLicensedTier(deps: LicenseServices, userId: string): Promise<void> {
  try {
    await updateUser(deps.auth, userId, { tier: "licensed" });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    deps.log("warn", "licensed user not found", { user_id: userId });
  }
}

/**
 * Admin: rejects a pending request with a reply (1–2000 characters) and notifies the user. `NotFoundError` for
 * an unknown id; `ConflictError` when the request is no longer pending.
 */
export async function rejectLicenseRequest(
  deps: LicenseServices,
  adminId: string,
  id: string,
  input: { reply: string },
): Promise<AdminRequestView> {
  const reply = checkText(input.reply, "reply", MAX_NOTE_CHARS, true);
  const now = deps.clock.now();
  const outcome = await deps.licenses.decideRequest(id, (current) =>
    Promise.resolve({
      request: { ...current, status: "rejected", admin_reply: reply, decided_at: now, decided_by: adminId },
      license: null,
    }));
  if (outcome.kind === "not_found") throw new NotFoundError(`License request "${id}" not found`);
  if (outcome.kind === "not_pending") throw notPending(id, outcome.request);
  await notifyQuietly(deps, outcome.request.user_id, {
    kind: "license_rejected",
    title: "Your QuantOS license request was rejected",
    body: `Request ${id} for ${outcome.request.customer} was rejected: ${reply}\n\n` +
      "You may submit a new request after addressing this.",
    link: deps.links.request,
  });
  return toAdminRequestView(outcome.request);
}
