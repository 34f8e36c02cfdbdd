/** Admin management of invite codes. */
import { iso, isoOrNull } from "../iso_time.ts";
import { randomString } from "../tokens_and_hashes.ts";
import { NotFoundError } from "../errors.ts";
import type { InviteCodeRecord } from "../store/invite_repo.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { AuthDeps } from "./auth_deps.ts";

/** An invite code as the API shows it. */
export interface InviteCodeView {
  code: string;
  max_uses: number;
  uses: number;
  remaining_uses: number;
  expires_at: string | null;
  disabled: boolean;
  active: boolean;
  note: string | null;
  created_at: string;
}

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Converts a stored code to its view; `active` says whether it can be redeemed at `nowMs`. */
export function toInviteView(r: InviteCodeRecord, nowMs: number): InviteCodeView {
  const expired = r.expires_at !== null && r.expires_at <= nowMs;
  return {
    code: r.code,
    max_uses: r.max_uses,
    uses: r.uses,
    remaining_uses: Math.max(0, r.max_uses - r.uses),
    expires_at: isoOrNull(r.expires_at),
    disabled: r.disabled,
    active: !r.disabled && !expired && r.uses < r.max_uses,
    note: r.note,
    created_at: iso(r.created_at),
  };
}

/** Creates an invite code (random 10 characters unless `code` is given); `ConflictError` when it exists. */
export async function createInvite(
  deps: AuthDeps,
  adminId: string,
  input: { code?: string; max_uses: number; expires_at?: number | null; note?: string | null },
): Promise<InviteCodeView> {
  const now = deps.clock.now();
  const record: InviteCodeRecord = {
    code: (input.code ?? randomString(10, CODE_ALPHABET)).trim().toUpperCase(),
    max_uses: input.max_uses,
    uses: 0,
    expires_at: input.expires_at ?? null,
    disabled: false,
    note: input.note ?? null,
    created_by: adminId,
    created_at: now,
  };
  await deps.invites.create(record);
  return toInviteView(record, now);
}

/** Lists invite codes in code order. */
export async function listInvites(deps: AuthDeps, page: PageRequest): Promise<Page<InviteCodeView>> {
  const result = await deps.invites.list(page);
  const now = deps.clock.now();
  return { ...result, items: result.items.map((r) => toInviteView(r, now)) };
}

/** Disables a code so it can no longer be redeemed (idempotent). */
export async function disableInvite(deps: AuthDeps, rawCode: string): Promise<InviteCodeView> {
  const code = rawCode.trim().toUpperCase();
  for (let i = 0; i < 20; i++) {
    const seen = await deps.invites.get(code);
    if (!seen) throw new NotFoundError(`Invite code "${code}" not found`);
    const next = { ...seen.record, disabled: true };
    if (await deps.invites.replace(seen, next)) return toInviteView(next, deps.clock.now());
  }
  throw new NotFoundError(`Invite code "${code}" not found`);
}
