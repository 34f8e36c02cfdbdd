/**
 * The step after a settlement commit: once settlement wrote days for some strategies (and their logs were
 * cosigned), their public answers are built here, in the background, and materialised in KV (`answer_layers.ts`)
 * at their new tokens — each public strategy's track record, performance, latest verify (also under its date),
 * first audit page and claimed history (when it has one), and the list's first page (all universes and each settled strategy's universe) — so the
 * first reader after a settlement, in any isolate, reads the answer instead of recomputing it.
 *
 * Slugs settled while a run is under way are taken by the run after it (one run at a time, by name).
 */
import type { TrackRecordServices } from "../track_record/services.ts";
import type { BackgroundTasks } from "../track_record/background_tasks.ts";
import type { TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { type PublicAnswerStores, warmAnswer } from "./answer_layers.ts";
import {
  auditAnswer,
  claimedAnswer,
  LIST_PAGE_SIZE,
  listAnswer,
  performanceAnswer,
  type PublicAnswer,
  trackRecordAnswer,
  verifyAnswer,
} from "./public_answers.ts";

/** The background task's name. */
const TASK = "materialise public answers";

/** The answers one run materialises for `slugs` (public ones only), the list's pages last. */
async function answersAfterSettlement(
  deps: TrackRecordServices,
  slugs: readonly string[],
): Promise<PublicAnswer[]> {
  const out: PublicAnswer[] = [];
  const universes = new Set<TrackedUniverse>();
  for (const slug of slugs) {
    const s = await deps.strategies.get(slug);
    if (!s || !s.is_public) continue;
    universes.add(s.universe);
    out.push(trackRecordAnswer(deps, slug), performanceAnswer(deps, slug), verifyAnswer(deps, slug));
    const head = await deps.settlements.head(slug);
    if (head) out.push(verifyAnswer(deps, slug, head.date));
    out.push(auditAnswer(deps, slug, LIST_PAGE_SIZE, 0));
    // Its tracking against the verified record moves with each settled day.
    if (await deps.claimed.exists(slug)) out.push(claimedAnswer(deps, slug));
  }
  if (universes.size === 0) return out;
  out.push(listAnswer(deps, { limit: LIST_PAGE_SIZE, offset: 0 }));
  for (const universe of universes) {
    out.push(listAnswer(deps, { universe, limit: LIST_PAGE_SIZE, offset: 0 }));
  }
  return out;
}

/**
 * Materialises the public answers of settled strategies; `settled(slugs)` queues them and returns at once
 * (`TrackRecordServices.onSettled`). A failed answer is logged and the others go on.
 */
export function createPublicAnswerWarmer(
  stores: PublicAnswerStores,
  deps: TrackRecordServices,
  background: BackgroundTasks,
): { settled(slugs: readonly string[]): void } {
  const queued = new Set<string>();
  const run = async () => {
    const slugs = [...queued];
    queued.clear();
    for (const a of await answersAfterSettlement(deps, slugs)) {
      try {
        await warmAnswer(stores, a);
      } catch (e) {
        deps.log("warn", "public answer not materialised", { key: a.key, error: String(e) });
      }
    }
  };
  return {
    settled(slugs) {
      for (const slug of slugs) queued.add(slug);
      if (queued.size > 0) background.run(TASK, run);
    },
  };
}
