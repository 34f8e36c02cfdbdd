/**
 * Transparency-log checks: inclusion proofs of signal hashes and day-record hashes, the signatures of their
 * checkpoints (by the log's key: the head's, or one the caller trusts), the deadline a signal's checkpoint and
 * its witnesses' cosignatures must beat, the consistency of every checkpoint seen with the final head (the log
 * was only appended to), and the log's published checkpoint list (sizes ascending, times never going back, every
 * signature valid, one root per size).
 */
import type { Ledger } from "./checks.ts";
import { fromHex } from "./crypto.ts";
import { consistencyVerifies, inclusionVerifies, leafHashHex } from "./merkle.ts";
import { normaliseKey } from "./options.ts";
import { checkpointProblem, type PublishedCheckpoint, witnessesBefore } from "./notes.ts";
import type { PublicApi } from "./public_api.ts";
import type { CheckpointsAnswer, PublishedConsistencyProof, PublishedInclusionProof } from "./shapes.ts";

/** Page size of the checkpoint list (the largest the platform serves). */
const CHECKPOINT_PAGE = 1000;
/** Most checkpoints the verifier reads from a list. */
export const MAX_CHECKPOINTS = 100_000;
/** Most pages of the checkpoint list the verifier reads. */
const MAX_CHECKPOINT_PAGES = 1000;

/** What the log checks share over a record. */
export interface LogContext {
  api: PublicApi;
  ledger: Ledger;
  /** `production` or `demo`: the `log` query argument of the log endpoints. */
  logName: string;
  /** The log's origin (the strategy's `parameters.log_origin`). */
  origin: string;
  /** The trusted checkpoint key (base64 raw Ed25519). */
  key: string;
  /** Every checkpoint a proof rested on, by tree size. */
  seen: Map<number, PublishedCheckpoint>;
  /** Consistency proofs published beside signals, by `first:second`. */
  published: Map<string, PublishedConsistencyProof>;
}

/**
 * Checks that `proof` proves the 32 bytes `leafHex` in the log under a checkpoint signed by the trusted key and
 * of the log's origin; kinds `<prefix>.inclusion`, `<prefix>.checkpoint`, `<prefix>.origin`. Returns the
 * checkpoint when everything holds, else `null`.
 */
export async function checkInclusion(
  ctx: LogContext,
  sink: string[],
  prefix: string,
  where: string,
  proof: PublishedInclusionProof | null | undefined,
  leafHex: string,
): Promise<PublishedCheckpoint | null> {
  const l = ctx.ledger;
  if (
    !l.check(
      sink,
      `${prefix}.inclusion`,
      !!proof && typeof proof === "object",
      () => `${where}: no inclusion proof`,
    )
  ) {
    return null;
  }
  const p = proof!;
  const data = fromHex(leafHex);
  const leaf = data && data.length === 32 ? await leafHashHex(data) : null;
  const cp = p.checkpoint;
  const ok = (p.signal_hash === undefined || p.signal_hash === leafHex) && leaf !== null &&
    p.leaf_hash === leaf &&
    !!cp && p.root_hash === cp.root_hash && p.tree_size === cp.tree_size &&
    await inclusionVerifies(leaf, p.leaf_index, p.tree_size, p.audit_path, p.root_hash);
  if (
    !l.check(
      sink,
      `${prefix}.inclusion`,
      ok,
      () => `${where}: the inclusion proof of ${leafHex.slice(0, 16)}… does not verify`,
    )
  ) {
    return null;
  }
  const problem = await checkpointProblem(cp, ctx.key);
  if (
    !l.check(
      sink,
      `${prefix}.checkpoint`,
      problem === null,
      () => `${where}: checkpoint of size ${cp.tree_size}: ${problem}`,
    )
  ) {
    return null;
  }
  if (
    !l.same(sink, `${prefix}.origin`, `${where} checkpoint origin`, cp.origin, ctx.origin, {
      word: "the strategy's log",
    })
  ) {
    return null;
  }
  const before = ctx.seen.get(cp.tree_size);
  if (before) {
    l.check(
      sink,
      "log.equivocation",
      before.root_hash === cp.root_hash && before.timestamp === cp.timestamp,
      () => `${where}: two different signed checkpoints of size ${cp.tree_size}`,
    );
  } else ctx.seen.set(cp.tree_size, cp);
  return cp;
}

/** The witness part of a signal check: at least `required` of `witnesses` cosigned before `deadlineMs`. */
export async function checkWitnesses(
  ctx: LogContext,
  sink: string[],
  where: string,
  own: PublishedCheckpoint,
  witnessed: PublishedInclusionProof | null | undefined,
  signalHash: string,
  deadlineMs: number,
  witnesses: readonly string[],
  required: number,
): Promise<void> {
  let found = await witnessesBefore(own, witnesses, deadlineMs);
  let via = `its own checkpoint (size ${own.tree_size})`;
  if (found.size < required && witnessed) {
    const cp = await checkInclusion(ctx, sink, "witness", `${where} witnessed proof`, witnessed, signalHash);
    if (cp) {
      const more = await witnessesBefore(cp, witnesses, deadlineMs);
      if (more.size > found.size) (found = more), (via = `the witnessed checkpoint of size ${cp.tree_size}`);
    }
  }
  ctx.ledger.check(
    sink,
    "witness.cosignatures",
    found.size >= required,
    () =>
      `${where}: ${found.size} of the ${required} required witness cosignatures before the deadline on ${via}`,
  );
}

/**
 * Checks every checkpoint seen against the final head `head`: same root at the same size, otherwise a consistency
 * proof (the published one when it reaches the head, else read from `/public/log/consistency`).
 */
export async function checkConsistencyToHead(
  ctx: LogContext,
  sink: string[],
  head: PublishedCheckpoint,
): Promise<void> {
  const l = ctx.ledger;
  for (const [size, cp] of [...ctx.seen].sort((a, b) => a[0] - b[0])) {
    const where = `checkpoint of size ${size}`;
    if (size >= head.tree_size) {
      l.check(
        sink,
        "log.consistency",
        size === head.tree_size && cp.root_hash === head.root_hash,
        () => `${where}: not the head's root at size ${head.tree_size}`,
      );
      continue;
    }
    const proof = ctx.published.get(`${size}:${head.tree_size}`) ??
      await ctx.api.get<PublishedConsistencyProof>(
        `/public/log/consistency?log=${ctx.logName}&first=${size}&second=${head.tree_size}`,
      );
    const ok = proof.first === size && proof.second === head.tree_size && proof.first_root === cp.root_hash &&
      proof.second_root === head.root_hash &&
      await consistencyVerifies(size, head.tree_size, proof.proof, cp.root_hash, head.root_hash);
    l.check(
      sink,
      "log.consistency",
      ok,
      () => `${where}: not consistent with the head of size ${head.tree_size}`,
    );
  }
}

/** What the checkpoint list held: its checkpoints by ascending size (as read, within the bounds). */
export interface CheckpointList {
  sizes: number[];
  bySize: Map<number, PublishedCheckpoint>;
}

/**
 * The smallest listed size above `leafIndex` (the first listed checkpoint covering that leaf), or `null`.
 */
export function firstCovering(list: CheckpointList, leafIndex: number): PublishedCheckpoint | null {
  let lo = 0, hi = list.sizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list.sizes[mid] > leafIndex) hi = mid;
    else lo = mid + 1;
  }
  return lo < list.sizes.length ? list.bySize.get(list.sizes[lo])! : null;
}

/**
 * Reads the log's checkpoint list (`/public/log/checkpoints`) page by page and checks it: origin and key, sizes
 * ascending, every signature by the trusted key; non-empty when the head's size is ≥ 1; the head and every
 * checkpoint a proof rested on (`ctx.seen`) listed with the same root and time (a missing one is
 * `checkpoints.missing`, a different one `checkpoints.equivocation`); times non-decreasing by size over the seen
 * and listed checkpoints together. Bounds against a hostile server (`checkpoints.bounds`): a page holding more
 * than the requested limit, more than `MAX_CHECKPOINTS` checkpoints, or a list that does not end within
 * `⌈head size / page⌉ + 2` pages (at most `MAX_CHECKPOINT_PAGES`).
 */
export async function checkCheckpointList(
  ctx: LogContext,
  sink: string[],
  head: PublishedCheckpoint,
): Promise<CheckpointList> {
  const l = ctx.ledger;
  const list: CheckpointList = { sizes: [], bySize: new Map() };
  let from: number | null = 1, prev: PublishedCheckpoint | null = null, count = 0, bounded = true;
  const maxPages = Math.min(Math.ceil(head.tree_size / CHECKPOINT_PAGE) + 2, MAX_CHECKPOINT_PAGES);
  let page = 0;
  read: for (; from !== null && page < maxPages; page++) {
    const a: CheckpointsAnswer = await ctx.api.get<CheckpointsAnswer>(
      `/public/log/checkpoints?log=${ctx.logName}&from_size=${from}&limit=${CHECKPOINT_PAGE}`,
    );
    l.same(sink, "checkpoints.origin", "checkpoint list", a.origin, ctx.origin, {
      word: "the strategy's log",
    });
    l.same(sink, "checkpoints.key", "checkpoint list", normaliseKey(a.public_key), normaliseKey(ctx.key), {
      word: "the trusted key",
    });
    const items = Array.isArray(a.checkpoints) ? a.checkpoints : [];
    if (
      !l.check(
        sink,
        "checkpoints.bounds",
        items.length <= CHECKPOINT_PAGE,
        () =>
          `checkpoint list: a page of ${items.length} checkpoints, more than the limit ${CHECKPOINT_PAGE} asked`,
      )
    ) {
      bounded = false;
      break;
    }
    for (const cp of items) {
      if (
        !l.check(
          sink,
          "checkpoints.bounds",
          ++count <= MAX_CHECKPOINTS,
          () => `checkpoint list: more than ${MAX_CHECKPOINTS} checkpoints`,
        )
      ) {
        bounded = false;
        break read;
      }
      const where = `checkpoint of size ${cp?.tree_size}`;
      const problem = await checkpointProblem(cp, ctx.key);
      if (!l.check(sink, "checkpoints.signature", problem === null, () => `${where}: ${problem}`)) continue;
      if (prev) {
        l.check(
          sink,
          "checkpoints.order",
          cp.tree_size > prev.tree_size,
          () => `${where} follows size ${prev!.tree_size}`,
        );
        l.check(
          sink,
          "checkpoints.time",
          cp.timestamp >= prev.timestamp,
          () =>
            `${where} is dated ${cp.timestamp}, before size ${prev!.tree_size}'s ${
              prev!.timestamp
            }: the log's time went back`,
        );
      }
      if (!list.bySize.has(cp.tree_size) && (prev === null || cp.tree_size > prev.tree_size)) {
        list.bySize.set(cp.tree_size, cp);
        list.sizes.push(cp.tree_size);
      }
      prev = cp;
    }
    const next: number | null = a.next_from_size ?? null;
    if (next !== null && !(Number.isSafeInteger(next) && next > from)) {
      l.check(
        sink,
        "checkpoints.order",
        false,
        () => `checkpoint list: next_from_size ${next} does not move on from ${from}`,
      );
      break;
    }
    from = next;
  }
  if (bounded && from !== null && page >= maxPages) {
    l.check(
      sink,
      "checkpoints.bounds",
      false,
      () => `checkpoint list: does not end within ${maxPages} pages`,
    );
  }

  // The head and every checkpoint relied on are listed, as they were seen.
  l.check(
    sink,
    "checkpoints.missing",
    head.tree_size < 1 || list.sizes.length > 0,
    () => `the checkpoint list is empty while the log's head has size ${head.tree_size}`,
  );
  const relied = new Map(ctx.seen);
  if (!relied.has(head.tree_size)) relied.set(head.tree_size, head);
  for (const [size, cp] of [...relied].sort((a, b) => a[0] - b[0])) {
    if (size < 1) continue;
    const listed = list.bySize.get(size);
    if (
      !l.check(
        sink,
        "checkpoints.missing",
        listed !== undefined,
        () => `checkpoint of size ${size}: relied on, but not in the checkpoint list`,
      )
    ) {
      continue;
    }
    l.check(
      sink,
      "checkpoints.equivocation",
      listed!.root_hash === cp.root_hash && listed!.timestamp === cp.timestamp,
      () => `checkpoint of size ${size}: the list's checkpoint differs from the one a proof rested on`,
    );
  }
  // Times never go back over everything seen and listed, by size.
  const all = new Map(list.bySize);
  for (const [size, cp] of relied) if (!all.has(size)) all.set(size, cp);
  let before: PublishedCheckpoint | null = null;
  for (const [size, cp] of [...all].sort((a, b) => a[0] - b[0])) {
    if (before && !(cp.timestamp >= before.timestamp)) {
      const b = before;
      l.check(
        sink,
        "checkpoints.time",
        false,
        () =>
          `checkpoint of size ${size} is dated ${cp.timestamp}, before size ${b.tree_size}'s ${b.timestamp}`,
      );
    }
    before = cp;
  }
  return list;
}
