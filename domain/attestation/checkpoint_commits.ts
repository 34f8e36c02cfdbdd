/**
 * Commits a log's newest checkpoint to GitHub, so the commit time is a second clock outside the server: the
 * head's checkpoint goes to `checkpoints/<origin with "/" → "_">/<tree_size>.json` unless a checkpoint of that
 * size or a larger one is committed already, and the commit `{sha, url}` is recorded for that size.
 */
import type { LogFn } from "../log.ts";
import type { CosignatureRepo } from "../store/cosignature_repo.ts";
import type { Checkpoint } from "./checkpoint.ts";
import type { AttestationResult } from "./github_attester.ts";
import type { TransparencyLog } from "./transparency_log.ts";

/**
 * Commits `log`'s head checkpoint when it is newer than the last committed one; `"committed"`, `"current"`
 * (nothing newer, or an empty log) or `"failed"` (logged, never thrown).
 */
export async function commitHeadCheckpoint(
  deps: {
    attester: { attestCheckpoint(checkpoint: Checkpoint): Promise<AttestationResult> };
    store: CosignatureRepo;
    log: LogFn;
  },
  log: Pick<TransparencyLog, "origin" | "checkpoint">,
): Promise<"committed" | "current" | "failed"> {
  try {
    const head = await log.checkpoint();
    const last = await deps.store.latestCommittedSize(log.origin);
    if (head.tree_size === 0 || (last !== null && last >= head.tree_size)) return "current";
    const result = await deps.attester.attestCheckpoint(head);
    if (!result.committed) {
      deps.log("warn", "github checkpoint commit failed", { origin: log.origin, reason: result.reason });
      return "failed";
    }
    await deps.store.putCommit(log.origin, head.tree_size, { sha: result.sha, url: result.url });
    return "committed";
  } catch (e) {
    deps.log("error", "github checkpoint commit failed", { origin: log.origin, error: String(e) });
    return "failed";
  }
}
