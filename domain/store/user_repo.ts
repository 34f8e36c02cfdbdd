/**
 * Users and their unique indexes (email, case-folded nickname, GitHub id). A user's nickname is public (the
 * creator column of the public list): a commit that changes it bumps the list's public scope.
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import { keys } from "./keys.ts";
import { type Page, pageRecords, type PageRequest } from "./kv.ts";
import { LIST_SCOPE } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** Account tiers; limits per tier live in `domain/auth/tiers.ts`. */
export type Tier = "free" | "licensed";

/** A requested email change, not attached until confirmed with the code mailed to the new address. */
export interface PendingEmailChange {
  /** The requested address, lower-case. */
  email: string;
  /** HMAC of the confirmation code (bound to the user and the address); the code itself is never stored. */
  code_hash: string;
  expires_at: number;
  /** Wrong confirmation tries so far. */
  attempts: number;
}

/** A stored account. Emails are lower-case; timestamps are epoch ms UTC. */
export interface UserRecord {
  id: string;
  email: string;
  nickname: string | null;
  password_hash: string | null;
  tier: Tier;
  disabled: boolean;
  email_verified: boolean;
  github_id: string | null;
  github_login: string | null;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  /**
   * Sessions carry the epoch they were opened in; raising it signs the account out everywhere at once.
   * Missing on records written before it existed, which counts as 0.
   */
  session_epoch?: number;
  /** An email change waiting for confirmation; missing or `null` when there is none. */
  pending_email?: PendingEmailChange | null;
}

/** Persistence of users; every uniqueness rule is checked in the same commit as the record. */
export interface UserRepo {
  /** Inserts a new user; `ConflictError` when the email, nickname or GitHub id is taken. */
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  getByEmail(email: string): Promise<UserRecord | null>;
  getByGithubId(githubId: string): Promise<UserRecord | null>;
  /**
   * Applies `change` to the current record and commits it with its index moves; re-reads and re-applies on a
   * concurrent write. `ConflictError` names the taken field; `NotFoundError` when the user is gone.
   */
  update(id: string, change: (current: UserRecord) => UserRecord): Promise<UserRecord>;
  list(page: PageRequest, filter?: (u: UserRecord) => boolean): Promise<Page<UserRecord>>;
}

const nicknameKey = (
  nickname: string | null,
) => (nickname === null ? null : keys.userByNickname(nickname.toLowerCase()));

/** Creates the KV-backed user repository. */
export function createUserRepo(kv: Deno.Kv): UserRepo {
  async function byIndex(key: Deno.KvKey): Promise<UserRecord | null> {
    const id = await kv.get<string>(key);
    return id.value ? (await kv.get<UserRecord>(keys.user(id.value))).value : null;
  }

  /** Says which unique field of `user` is held by someone else, for a clear 409. */
  async function takenField(user: UserRecord): Promise<string | null> {
    const owner = async (key: Deno.KvKey | null) => (key ? (await kv.get<string>(key)).value : null);
    const email = await owner(keys.userByEmail(user.email));
    if (email && email !== user.id) return "Email already in use";
    const nick = await owner(nicknameKey(user.nickname));
    if (nick && nick !== user.id) return "Nickname already taken";
    const gh = await owner(user.github_id ? keys.userByGithub(user.github_id) : null);
    if (gh && gh !== user.id) return "GitHub account already linked to another user";
    return null;
  }

  return {
    async create(user) {
      let op = kv.atomic()
        .check({ key: keys.user(user.id), versionstamp: null })
        .check({ key: keys.userByEmail(user.email), versionstamp: null })
        .set(keys.user(user.id), user)
        .set(keys.userByEmail(user.email), user.id);
      const nick = nicknameKey(user.nickname);
      if (nick) op = op.check({ key: nick, versionstamp: null }).set(nick, user.id);
      if (user.github_id) {
        op = op.check({ key: keys.userByGithub(user.github_id), versionstamp: null })
          .set(keys.userByGithub(user.github_id), user.id);
      }
      const res = await op.commit();
      if (!res.ok) {
        throw new ConflictError((await takenField(user)) ?? `Cannot create user "${user.id}": it exists`);
      }
    },
    async get(id) {
      return (await kv.get<UserRecord>(keys.user(id))).value;
    },
    getByEmail: (email) => byIndex(keys.userByEmail(email.toLowerCase())),
    getByGithubId: (githubId) => byIndex(keys.userByGithub(githubId)),
    async update(id, change) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await kv.get<UserRecord>(keys.user(id));
        if (!current.value) throw new NotFoundError(`User "${id}" not found`);
        const next = change(structuredClone(current.value));
        let op = kv.atomic().check(current).set(keys.user(id), next);
        const moves: [Deno.KvKey | null, Deno.KvKey | null][] = [
          [keys.userByEmail(current.value.email), keys.userByEmail(next.email)],
          [nicknameKey(current.value.nickname), nicknameKey(next.nickname)],
          [
            current.value.github_id ? keys.userByGithub(current.value.github_id) : null,
            next.github_id ? keys.userByGithub(next.github_id) : null,
          ],
        ];
        for (const [before, after] of moves) {
          if (JSON.stringify(before) === JSON.stringify(after)) continue;
          if (before) op = op.delete(before);
          if (after) op = op.check({ key: after, versionstamp: null }).set(after, id);
        }
        if (current.value.nickname !== next.nickname) bumpPublicScopes(op, [LIST_SCOPE], next.updated_at);
        const res = await op.commit();
        if (res.ok) return next;
        const taken = await takenField(next);
        if (taken) throw new ConflictError(taken);
      }
      throw new ConflictError(`Cannot update user "${id}": too many concurrent changes`);
    },
    list: (page, filter) => pageRecords<UserRecord>(kv, keys.users(), page, { filter }),
  };
}
