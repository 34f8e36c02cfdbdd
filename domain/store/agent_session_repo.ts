/**
 * Chat-agent sessions (`POST /agent/invoke`): one record per owner and session id, holding the last messages,
 * the provider's draft, the last validated config and what is still missing. Records expire: KV drops them
 * `ttlMs` after the last write (`expireIn`), and readers also check the stored `expires_at` (KV expiry is lazy).
 * Writes are checked against the versionstamp read, so two turns at once never lose a message.
 */
import { keys } from "./keys.ts";

/** One message of a conversation. */
export interface AgentSessionMessage {
  role: "user" | "assistant";
  text: string;
  /** When it was written (epoch ms). */
  at: number;
}

/** A session: its conversation and the state of the config it builds. */
export interface AgentSessionRecord {
  /** Who owns it: `user:<id>` for a signed-in caller, `ip:<sha-256 of the address>` for an anonymous one. */
  owner: string;
  session_id: string;
  /** The last messages, oldest first (bounded by count and size by the chat operation). */
  messages: AgentSessionMessage[];
  /** The provider's config draft so far (what the next turn continues), null at the start. */
  draft: Record<string, unknown> | null;
  /** The last config that passed every check (shape, compile) — complete with the values it runs with. */
  config: Record<string, unknown> | null;
  /** True when `config` passed the checks and a dry run of it succeeded. */
  config_ready: boolean;
  /** Slots still missing (`strategy`, `universe`, `date_range`, `capital`). */
  missing: string[];
  /** The follow-up question of the last turn, if any. */
  question: string | null;
  assumptions: string[];
  /** Why the config is not ready (failed checks, a failed dry run). */
  validation_errors: string[];
  created_at: number;
  updated_at: number;
  expires_at: number;
}

/** A session as read, with the versionstamp a write must match. */
export interface AgentSessionEntry {
  record: AgentSessionRecord;
  versionstamp: string;
}

/** Persistence of chat-agent sessions. */
export interface AgentSessionRepo {
  /** The session of `owner` named `sessionId`; null when there is none or it expired before `nowMs`. */
  get(owner: string, sessionId: string, nowMs: number): Promise<AgentSessionEntry | null>;
  /**
   * Writes `record` if the stored session is still the one read (`seen`: its versionstamp, or null when none
   * was there or it had expired); false when another turn wrote first (the caller re-reads and retries).
   */
  save(record: AgentSessionRecord, seen: string | null, ttlMs: number): Promise<boolean>;
}

/** Creates the KV-backed session repository. */
export function createAgentSessionRepo(kv: Deno.Kv): AgentSessionRepo {
  return {
    async get(owner, sessionId, nowMs) {
      const entry = await kv.get<AgentSessionRecord>(keys.agentSession(owner, sessionId));
      if (!entry.value || !entry.versionstamp) return null;
      // An expired record still in KV counts as none; a save over it checks its versionstamp (below).
      if (entry.value.expires_at <= nowMs) return null;
      return { record: entry.value, versionstamp: entry.versionstamp };
    },
    async save(record, seen, ttlMs) {
      const key = keys.agentSession(record.owner, record.session_id);
      let check: string | null = seen;
      if (seen === null) {
        // Nothing live was read: the write must find either no record or the same expired one.
        const now = await kv.get<AgentSessionRecord>(key);
        if (now.value && now.value.expires_at > record.updated_at) return false;
        check = now.versionstamp;
      }
      const res = await kv.atomic().check({ key, versionstamp: check })
        .set(key, record, { expireIn: Math.max(1, ttlMs) }).commit();
      return res.ok;
    },
  };
}
