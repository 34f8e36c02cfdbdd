/**
 * Real transparency logs for the witness tests: `openLog` (its own `:memory:` KV, its own clock), `forkOf` (a
 * log with the same origin and the same signing key but its own leaves — what a dishonest operator would show
 * one party), and `post`/`addBody` to talk to a witness over HTTP.
 */
import { type Clock, fixedClock } from "../../domain/clock.ts";
import { SIGNING_KEY_SETTING } from "../../domain/attestation/checkpoint.ts";
import { createTransparencyLog, type TransparencyLog } from "../../domain/attestation/transparency_log.ts";
import { sha256Hex } from "../../domain/tokens_and_hashes.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../domain/store/transparency_log_repo.ts";

/** 2026-07-10 01:00 UTC: the logs' clock. */
export const LOG_T0 = Date.UTC(2026, 6, 10, 1, 0);
/** The witnesses' clock, on purpose not the logs'. */
export const WITNESS_T0 = Date.UTC(2026, 6, 10, 1, 0, 7);

/** A log with its KV, clock and signing key (PKCS#8 base64, to fork it). */
export interface TestLog extends AsyncDisposable {
  log: TransparencyLog;
  clock: ReturnType<typeof fixedClock>;
  signingKey: string;
  publicKey: string;
  /** Appends leaves `tag-i` for i in [from, to). */
  grow(tag: string, to: number): Promise<void>;
}

/** A log named `origin` over a fresh `:memory:` KV; `signingKey` reuses a key (a fork), else one is generated. */
export async function openLog(origin: string, signingKey?: string, clock?: Clock): Promise<TestLog> {
  const kv = await Deno.openKv(":memory:");
  const settings = createSettingsRepo(kv);
  if (signingKey) await settings.getOrCreate(SIGNING_KEY_SETTING, () => signingKey);
  const ownClock = fixedClock(clock?.now() ?? LOG_T0);
  const log = createTransparencyLog({ log: createTransparencyLogRepo(kv), settings }, ownClock, { origin });
  const publicKey = (await log.publicKey()).public_key;
  const key = await settings.getOrCreate(SIGNING_KEY_SETTING, () => {
    throw new Error("the log has no key");
  });
  return {
    log,
    clock: ownClock,
    signingKey: key,
    publicKey,
    async grow(tag, to) {
      for (let i = await log.size(); i < to; i++) {
        ownClock.advance(1000);
        await log.append(await sha256Hex(`${tag}-${i}`));
      }
    },
    [Symbol.asyncDispose]: () => Promise.resolve(kv.close()),
  };
}

/** A fork of `of`: same origin, same key, its own leaves. */
export function forkOf(of: TestLog, origin: string): Promise<TestLog> {
  return openLog(origin, of.signingKey, of.clock);
}

/** The add-checkpoint body for `log`'s current head from `oldSize` (with the log's own proof). */
export async function addBody(log: TransparencyLog, oldSize: number) {
  const checkpoint = await log.checkpoint();
  const proof = oldSize === 0 ? [] : (await log.consistencyProof(oldSize, checkpoint.tree_size)).proof;
  return { old_size: oldSize, consistency_proof: proof, checkpoint };
}

/** An HTTP answer: status, content type and parsed JSON body. */
export interface Answer {
  status: number;
  type: string | null;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** POSTs `body` (JSON-encoded unless already a string) to `url`. */
export async function post(url: string, body: unknown, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}

/** GETs `url` as JSON. */
export async function get(url: string): Promise<Answer> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}
