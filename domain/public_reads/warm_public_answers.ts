/**
 * The step after a settlement commit: once settlement wrote days for some strategies (and their logs were
 * cosigned), their public answers are built here, in the background, and materialised in KV (`answer_layers.ts`)
 * at their new tokens — each public strategy's track record, performance, latest verify (also under its date),
 * first audit page and claimed history (when it has one), and the list's first page (all universes and each settled
 * strategy's universe) — so the first reader after a settlement, in any isolate, reads the answer instead of recomputing it.
 *
 * Slugs settled while a run is under way are taken by the run after it (one run at a time, by name).
 */
import type { TrackRecordServices } from "../track_record/services.ts";
import type { BackgroundTasks } from "../track_record/background_tasks.ts";
import type { TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { type PublicAnswerStores, warmAnswer } from "./answer_layers.ts";
import {
  AUDIT_PAGE_SIZE,
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
/** Most slugs one run takes; the rest wait for the run after it (started at once). */
const MAX_SLUGS_PER_RUN = 500;

/** A settled strategy's answers (none when it is not public); its universe is added to `universes`. */
async function answersOfSlug(
  deps: TrackRecordServices,
  slug: string,
  universes: Set<TrackedUniverse>,
): Promise<PublicAnswer[]> {
  const s = await deps.strategies.get(slug);
  if (!s || !s.is_public) return [];
  universes.add(s.universe);
  const out = [trackRecordAnswer(deps, slug), performanceAnswer(deps, slug), verifyAnswer(deps, slug)];
  const head = await deps.settlements.head(slug);
  if (head) out.push(verifyAnswer(deps, slug, head.date));
  out.push(auditAnswer(deps, slug, AUDIT_PAGE_SIZE, 0));
  // Its tracking against the verified record moves with each settled day.
  if (await deps.claimed.exists(slug)) out.push(claimedAnswer(deps, slug));
  return out;
}

/** The list's first pages: all universes and each of `universes`. */
function listAnswers(deps: TrackRecordServices, universes: Set<TrackedUniverse>): PublicAnswer[] {
  if (universes.size === 0) return [];
  const out = [listAnswer(deps, { limit: LIST_PAGE_SIZE, offset: 0 })];
  for (const universe of universes) {
    out.push(listAnswer(deps, { universe, limit: LIST_PAGE_SIZE, offset: 0 }));
  }
  return out;
}

/**
 * Materialises the public answers of settled strategies; `settled(slugs)` queues them and returns at once
 * (`TrackRecordServices.onSettled`). A failed answer or slug is logged and the others go on; a run takes at most
 * `MAX_SLUGS_PER_RUN` slugs and leaves the rest queued for the next run.
 */
export function createPublicAnswerWarmer(
  stores: PublicAnswerStores,
  deps: TrackRecordServices,
  background: BackgroundTasks,
): { settled(slugs: readonly string[]): void } {
  const queued = new Set<string>();
  const warm = async (a: PublicAnswer) => {
    try {
      await warmAnswer(stores, a);
    } catch (e) {
      deps.log("warn", "public answer not materialised", { key: a.key, error: String(e) });
    }
  };
  const run = async () => {
    const slugs = [...queued].slice(0, MAX_SLUGS_PER_RUN);
    for (const slug of slugs) queued.delete(slug);
    const universes = new Set<TrackedUniverse>();
    for (const slug of slugs) {
      try {
        for (const a of await answersOfSlug(deps, slug, universes)) await warm(a);
      } catch (e) {
        deps.log("warn", "public answers of a strategy not materialised", { slug, error: String(e) });
      }
    }
    for (const a of listAnswers(deps, universes)) await warm(a);
    if (queued.size > 0) background.run(TASK, run);
  };
  return {
    settled(slugs) {
      for (const slug of slugs) queued.add(slug);
      if (queued.size > 0) background.run(TASK, run);
    },
  };
}
