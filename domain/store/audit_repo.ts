/**
 * The per-strategy audit trail: append-only entries keyed by a time-ordered id. An entry appended on its own
 * bumps the strategy's public scope in its commit (entries written with a signal or a settled day ride on those
 * commits, which bump it too).
 */
import { keys } from "./keys.ts";
import { pageRecords } from "./kv.ts";
import { strategyScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** What happened. */
export type AuditEvent =
  | "CREATED"
  | "ACTIVATED"
  | "STATUS_CHANGED"
  | "SIGNAL_SUBMITTED"
  | "SIGNAL_REPLACED"
  | "SIGNAL_WITHDRAWN"
  | "REBALANCE"
  | "HOLD"
  | "CLAIMED_UPLOADED"
  | "CLAIMED_DELETED";

/** One audit entry. */
export interface AuditEntry {
  id: string;
  /** When it was recorded (epoch ms). */
  at: number;
  /** The trading or calendar date it concerns (`YYYY-MM-DD`). */
  date: string;
  event: AuditEvent;
  detail: string;
  data: Record<string, unknown> | null;
}

/** Access to audit trails. */
export interface AuditRepo {
  append(slug: string, entry: AuditEntry): Promise<void>;
  /** Newest first, with the total count. */
  list(slug: string, limit: number, offset: number): Promise<{ items: AuditEntry[]; total: number }>;
}

/** Creates the KV-backed repository. */
export function createAuditRepo(kv: Deno.Kv): AuditRepo {
  return {
    async append(slug, entry) {
      const op = kv.atomic().set(keys.auditEntry(slug, entry.id), entry);
      await bumpPublicScopes(op, [strategyScope(slug)], entry.at).commit();
    },
    list(slug, limit, offset) {
      return pageRecords<AuditEntry>(kv, keys.auditOfStrategy(slug), { limit, offset });
    },
  };
}
