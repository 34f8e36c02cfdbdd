/** Invite codes with a use budget, optional expiry and an off switch. */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { type Page, pageRecords, type PageRequest } from "./kv.ts";

/** A stored invite code (codes are upper-case). */
export interface InviteCodeRecord {
  code: string;
  max_uses: number;
  uses: number;
  expires_at: number | null;
  disabled: boolean;
  note: string | null;
  created_by: string;
  created_at: number;
}

/** Persistence of invite codes. */
export interface InviteRepo {
  /** Inserts a code; `ConflictError` when it exists. */
  create(record: InviteCodeRecord): Promise<void>;
  get(code: string): Promise<{ record: InviteCodeRecord; versionstamp: string } | null>;
  list(page: PageRequest): Promise<Page<InviteCodeRecord>>;
  /** Writes `next` if the code is unchanged since read; `false` when it changed meanwhile. */
  replace(seen: { record: InviteCodeRecord; versionstamp: string }, next: InviteCodeRecord): Promise<boolean>;
}

/** Creates the KV-backed invite-code repository. */
export function createInviteRepo(kv: Deno.Kv): InviteRepo {
  return {
    async create(record) {
      const res = await kv.atomic().check({ key: keys.inviteCode(record.code), versionstamp: null })
        .set(keys.inviteCode(record.code), record).commit();
      if (!res.ok) throw new ConflictError(`Invite code "${record.code}" already exists`);
    },
    async get(code) {
      const entry = await kv.get<InviteCodeRecord>(keys.inviteCode(code));
      return entry.value && entry.versionstamp
        ? { record: entry.value, versionstamp: entry.versionstamp }
        : null;
    },
    list: (page) => pageRecords<InviteCodeRecord>(kv, keys.inviteCodes(), page, { reverse: false }),
    async replace(seen, next) {
      const key = keys.inviteCode(seen.record.code);
      return (await kv.atomic().check({ key, versionstamp: seen.versionstamp }).set(key, next).commit()).ok;
    },
  };
}
