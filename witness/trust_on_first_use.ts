/**
 * Trust on first use, for a third party who runs a witness without being told the logs' keys out of band: read
 * a Quantedge server's published checkpoints (`/api/v1/public/log/checkpoint`, production and `?log=demo`) and
 * pin each origin with the key that signed it, in the witness's own store. A pin is made once: a later start
 * that reads another key for a pinned origin does not replace it, and reports the mismatch.
 */
import { type Checkpoint, verifyCheckpoint } from "../domain/attestation/checkpoint.ts";
import { isOrigin, isPublicKey } from "./witness_logs.ts";
import type { PinnedLog, WitnessStore } from "./witness_store.ts";

/** What happened to one log read from the server. */
export type PinOutcome =
  | { kind: "pinned"; pin: PinnedLog }
  | { kind: "already_pinned"; pin: PinnedLog }
  | { kind: "key_mismatch"; pin: PinnedLog; offered_key: string }
  | { kind: "unavailable"; url: string; reason: string };

/** Largest checkpoint answer read (bytes). */
const MAX_ANSWER_BYTES = 256 * 1024;

/** The two public checkpoint URLs of a Quantedge base URL (production first, then the demo log). */
function checkpointUrls(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, "");
  return [`${base}/api/v1/public/log/checkpoint`, `${base}/api/v1/public/log/checkpoint?log=demo`];
}

async function readCheckpoint(
  url: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
): Promise<Checkpoint | string> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
  } catch (err) {
    return `cannot reach it (${err instanceof Error ? err.name : "error"})`;
  }
  if (!res.ok) {
    await res.body?.cancel();
    return `it answered HTTP ${res.status}`;
  }
  const text = await readCapped(res);
  if (text === null) return "its answer is too large";
  if (text === undefined) return "its answer could not be read";
  let cp: Checkpoint;
  try {
    cp = JSON.parse(text) as Checkpoint;
  } catch {
    return "its answer is not JSON";
  }
  if (
    typeof cp !== "object" || cp === null || typeof cp.origin !== "string" || !isOrigin(cp.origin) ||
    typeof cp.public_key !== "string" || !isPublicKey(cp.public_key) || !await verifyCheckpoint(cp)
  ) {
    return "its answer is not a validly signed checkpoint";
  }
  return cp;
}

/**
 * The body as text, read as a stream and abandoned as soon as it passes `MAX_ANSWER_BYTES` (`null`); `undefined`
 * when reading fails (the connection drops, the timeout fires).
 */
async function readCapped(res: Response): Promise<string | null | undefined> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => {});
        return null;
      }
      parts.push(value);
    }
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Reads the production and demo checkpoints of the Quantedge server at `baseUrl` and pins each origin's key on
 * first use. Never throws for a server that is down or answers nonsense (that log is `unavailable`); the same
 * origin read twice (a server that ignores `?log=`) is pinned once.
 */
export async function pinLogsFrom(
  store: WitnessStore,
  baseUrl: string,
  options: { fetch?: typeof fetch; now: number; timeoutMs?: number },
): Promise<PinOutcome[]> {
  const out: PinOutcome[] = [];
  const seen = new Set<string>();
  for (const url of checkpointUrls(baseUrl)) {
    const cp = await readCheckpoint(url, options.fetch ?? fetch, options.timeoutMs ?? 10_000);
    if (typeof cp === "string") {
      out.push({ kind: "unavailable", url, reason: cp });
      continue;
    }
    if (seen.has(cp.origin)) continue;
    seen.add(cp.origin);
    const before = await store.pin(cp.origin);
    const pin = before ??
      await store.addPin({
        origin: cp.origin,
        public_key: cp.public_key,
        source: url,
        pinned_at: options.now,
      });
    if (pin.public_key !== cp.public_key) out.push({ kind: "key_mismatch", pin, offered_key: cp.public_key });
    else out.push({ kind: before ? "already_pinned" : "pinned", pin });
  }
  return out;
}
