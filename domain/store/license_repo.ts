/**
 * QuantOS licence requests and licences. A request is indexed by user and by status; a user has at most one
 * pending request (a lock key created in the request's commit, so two concurrent requests cannot both land) and
 * at most one licence (approving a later request replaces it). Licences the expiry job has not processed yet are
 * indexed by their `expires` day.
 */
import { keys } from "./keys.ts";
import { type Page, pageIndex, pageRecords, type PageRequest } from "./kv.ts";

/** Where a licence request stands. */
export type LicenseRequestStatus = "pending" | "approved" | "rejected";

/** A user's request for a QuantOS licence. */
export interface LicenseRequestRecord {
  /** `lr_…`, time-ordered. */
  id: string;
  user_id: string;
  customer: string;
  /** 64 lower-case hex. */
  fingerprint: string;
  note: string | null;
  status: LicenseRequestStatus;
  admin_reply: string | null;
  /** Epoch ms. */
  created_at: number;
  /** Epoch ms of the approval or rejection. */
  decided_at: number | null;
  /** The admin who decided. */
  decided_by: string | null;
  /** The licence an approval issued. */
  license_id: string | null;
}

/** A user's issued licence, with the signed file in both forms. */
export interface LicenseRecord {
  /** `lic_…`, time-ordered; the payload's `license_id`. */
  id: string;
  user_id: string;
  request_id: string;
  customer: string;
  fingerprint: string;
  /** `YYYY-MM-DD`, valid through the end of that UTC day. */
  expires: string;
  max_cores: number;
  max_memory_gb: number;
  /** Epoch ms of issue. */
  created_at: number;
  key_id: string;
  /** The `license.json` form of the signed file. */
  file_json: string;
  /** The armored form of the signed file. */
  file_armored: string;
  /** Epoch ms at which the expiry job processed this licence (downgrade and notice), else `null`. */
  expiry_processed_at: number | null;
}

/** The outcome of deciding a request. */
export type DecideOutcome =
  | { kind: "not_found" }
  | { kind: "not_pending"; request: LicenseRequestRecord }
  | { kind: "decided"; request: LicenseRequestRecord; license: LicenseRecord | null };

/** A licence the expiry index names: its holder and id. */
export interface ExpiringLicense {
  user_id: string;
  license_id: string;
  expires: string;
}

/** Persistence of licence requests and licences. */
export interface LicenseRepo {
  /** Stores a new pending request; `false` (nothing written) when the user already has a pending one. */
  createRequest(record: LicenseRequestRecord): Promise<boolean>;
  getRequest(id: string): Promise<LicenseRequestRecord | null>;
  /** The id of the user's pending request, or `null`. */
  pendingRequestId(userId: string): Promise<string | null>;
  /** The user's pending request, else their most recent one (ids are time-ordered), or `null`. */
  latestRequestOf(userId: string): Promise<LicenseRequestRecord | null>;
  /** Requests (of one status, or all), newest first. */
  listRequests(
    status: LicenseRequestStatus | undefined,
    page: PageRequest,
  ): Promise<Page<LicenseRequestRecord>>;
  /**
   * Decides a pending request in one commit checked against concurrent changes: `decide` gets the current
   * record and answers the decided record and, for an approval, the licence that replaces the user's current
   * one. A request that is no longer pending (another decision won) is answered `not_pending`; `decide` is
   * called again if the commit loses a race and the request is still pending.
   */
  decideRequest(
    id: string,
    decide: (current: LicenseRequestRecord) => Promise<{
      request: LicenseRequestRecord;
      license: LicenseRecord | null;
    }>,
  ): Promise<DecideOutcome>;
  /** The user's licence, or `null`. */
  getLicense(userId: string): Promise<LicenseRecord | null>;
  /** Up to `limit` unprocessed licences whose `expires` is before `date`, earliest first. */
  listExpiringBefore(date: string, limit: number): Promise<ExpiringLicense[]>;
  /**
   * Marks the licence processed by the expiry job and drops it from the expiry index, once: answers the
   * licence when this call marked it, `null` when it was already processed or replaced (the stale index entry
   * is dropped then too).
   */
  markExpiryProcessed(entry: ExpiringLicense, at: number): Promise<LicenseRecord | null>;
}

/** Commits retried after a lost race before giving up. */
const MAX_ATTEMPTS = 20;

/** Creates the KV-backed licence repository. */
export function createLicenseRepo(kv: Deno.Kv): LicenseRepo {
  return {
    async createRequest(record) {
      const res = await kv.atomic()
        .check({ key: keys.pendingLicenseRequest(record.user_id), versionstamp: null })
        .check({ key: keys.licenseRequest(record.id), versionstamp: null })
        .set(keys.pendingLicenseRequest(record.user_id), record.id)
        .set(keys.licenseRequest(record.id), record)
        .set(keys.licenseRequestByUser(record.user_id, record.id), record.id)
        .set(keys.licenseRequestByStatus(record.status, record.id), record.id)
        .commit();
      return res.ok;
    },

    async getRequest(id) {
      return (await kv.get<LicenseRequestRecord>(keys.licenseRequest(id))).value;
    },

    async pendingRequestId(userId) {
      return (await kv.get<string>(keys.pendingLicenseRequest(userId))).value;
    },

    async latestRequestOf(userId) {
      // The pending request, when there is one, is the latest (a new one can only be filed after a decision).
      const pending = await kv.get<string>(keys.pendingLicenseRequest(userId));
      if (pending.value) {
        return (await kv.get<LicenseRequestRecord>(keys.licenseRequest(pending.value))).value;
      }
      for await (
        const entry of kv.list<string>({ prefix: keys.licenseRequestsByUser(userId) }, {
          reverse: true,
          limit: 1,
        })
      ) {
        return (await kv.get<LicenseRequestRecord>(keys.licenseRequest(entry.value))).value;
      }
      return null;
    },

    listRequests(status, page) {
      return status === undefined
        ? pageRecords<LicenseRequestRecord>(kv, keys.licenseRequests(), page)
        : pageIndex<LicenseRequestRecord>(
          kv,
          keys.licenseRequestsByStatus(status),
          keys.licenseRequest,
          page,
        );
    },

    async decideRequest(id, decide) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await kv.get<LicenseRequestRecord>(keys.licenseRequest(id));
        if (!current.value) return { kind: "not_found" };
        if (current.value.status !== "pending") return { kind: "not_pending", request: current.value };
        const userId = current.value.user_id;
        const previous = await kv.get<LicenseRecord>(keys.license(userId));
        const pending = await kv.get<string>(keys.pendingLicenseRequest(userId));
        const { request, license } = await decide(current.value);
        const op = kv.atomic()
          .check(current)
          .check(pending)
          .set(keys.licenseRequest(id), request)
          .delete(keys.licenseRequestByStatus("pending", id))
          .set(keys.licenseRequestByStatus(request.status, id), id);
        if (pending.value === id) op.delete(keys.pendingLicenseRequest(userId));
        if (license) {
          op.check(previous);
          if (previous.value && previous.value.expiry_processed_at === null) {
            op.delete(keys.licenseByExpiry(previous.value.expires, userId));
          }
          op.set(keys.license(userId), license)
            .set(keys.licenseByExpiry(license.expires, userId), license.id);
        }
        if ((await op.commit()).ok) return { kind: "decided", request, license };
      }
      throw new Error(`Cannot decide license request "${id}": too many concurrent changes`);
    },

    async getLicense(userId) {
      return (await kv.get<LicenseRecord>(keys.license(userId))).value;
    },

    async listExpiringBefore(date, limit) {
      const out: ExpiringLicense[] = [];
      const iter = kv.list<string>(
        { start: keys.licensesByExpiry(), end: [...keys.licensesByExpiry(), date] },
        { limit },
      );
      for await (const entry of iter) {
        out.push({
          expires: entry.key[1] as string,
          user_id: entry.key[2] as string,
          license_id: entry.value,
        });
      }
      return out;
    },

    async markExpiryProcessed(entry, at) {
      const indexKey = keys.licenseByExpiry(entry.expires, entry.user_id);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const [current, index] = await kv.getMany<[LicenseRecord, string]>([
          keys.license(entry.user_id),
          indexKey,
        ]);
        const record = current.value;
        if (!record || record.id !== entry.license_id || record.expiry_processed_at !== null) {
          // A stale entry (the licence was replaced or processed): drop it only if it still names that licence.
          if (index.value !== entry.license_id) return null;
          if ((await kv.atomic().check(index).delete(indexKey).commit()).ok) return null;
          continue;
        }
        const marked = { ...record, expiry_processed_at: at };
        const res = await kv.atomic().check(current).check(index).set(keys.license(entry.user_id), marked)
          .delete(indexKey).commit();
        if (res.ok) return marked;
      }
      throw new Error(`Cannot mark license "${entry.license_id}" expired: too many concurrent changes`);
    },
  };
}
