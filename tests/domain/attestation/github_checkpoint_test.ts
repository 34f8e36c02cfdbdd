/**
 * Checkpoints committed to GitHub (the loopback contents-API stand-in): the file's path and text, no second
 * commit for the same checkpoint, and `commitHeadCheckpoint` committing only a log's newest uncommitted head.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import { createGithubAttester } from "../../../domain/attestation/github_attester.ts";
import { commitHeadCheckpoint } from "../../../domain/attestation/checkpoint_commits.ts";
import { createTransparencyLog } from "../../../domain/attestation/transparency_log.ts";
import { createCosignatureRepo } from "../../../domain/store/cosignature_repo.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";
import { startFakeGithubContents } from "../../_helpers/fake_github_contents.ts";

const TOKEN = "ghp_testtoken1234567890";
const T0 = Date.UTC(2026, 5, 1, 1, 0);

async function withWorld(
  fn: (w: {
    gh: ReturnType<typeof startFakeGithubContents>;
    attester: ReturnType<typeof createGithubAttester>;
    log: ReturnType<typeof createTransparencyLog>;
    store: ReturnType<typeof createCosignatureRepo>;
    logs: string[];
  }) => Promise<void>,
) {
  const gh = startFakeGithubContents({ token: TOKEN, owner: "acme", repo: "track-record" });
  const kv = await Deno.openKv(":memory:");
  try {
    const attester = createGithubAttester({
      token: TOKEN,
      repo: "acme/track-record",
      apiBaseUrl: gh.apiBaseUrl,
    });
    const log = createTransparencyLog(
      { log: createTransparencyLogRepo(kv, "demo"), settings: createSettingsRepo(kv) },
      fixedClock(T0),
      { origin: "quantedge/demo" },
    );
    const logs: string[] = [];
    await fn({ gh, attester, log, store: createCosignatureRepo(kv), logs });
  } finally {
    kv.close();
    await gh.close();
  }
}

Deno.test("attestCheckpoint() commits checkpoints/<origin, / → _>/<tree_size>.json with the signed fields", () =>
  withWorld(async ({ gh, attester, log }) => {
    await log.append(await sha256Hex("a"));
    await log.append(await sha256Hex("b"));
    const cp = await log.checkpoint();
    const result = await attester.attestCheckpoint(cp);
    const path = "checkpoints/quantedge_demo/2.json";
    assert.deepEqual(result, {
      committed: true,
      sha: gh.commits[0].sha,
      url: `https://github.com/acme/track-record/blob/main/${path}`,
      path,
    });
    assert.equal(gh.commits[0].message, `checkpoint quantedge/demo 2 ${cp.root_hash.slice(0, 12)}`);
    assert.deepEqual(JSON.parse(gh.file(path)!.text), cp);
    assert.ok(gh.file(path)!.text.endsWith("}\n"));
    // The same checkpoint again: the commit that wrote it, nothing new.
    const again = await attester.attestCheckpoint(cp);
    assert.deepEqual(again, result);
    assert.equal(gh.commits.length, 1);
  }));

Deno.test("attestCheckpoint() refuses an origin that is not a path segment, without a request", () =>
  withWorld(async ({ gh, attester, log }) => {
    await log.append(await sha256Hex("a"));
    const cp = await log.checkpoint();
    assert.deepEqual(await attester.attestCheckpoint({ ...cp, origin: "../etc" }), {
      committed: false,
      reason: "invalid_checkpoint: origin",
    });
    assert.equal(gh.requests.length, 0);
  }));

Deno.test("commitHeadCheckpoint() commits the newest uncommitted head once and records {sha, url}", () =>
  withWorld(async ({ gh, attester, log, store, logs }) => {
    const deps = { attester, store, log: (_l: string, msg: string) => logs.push(msg) };
    assert.equal(await commitHeadCheckpoint(deps, log), "current", "an empty log has nothing to commit");
    for (const x of ["a", "b", "c"]) await log.append(await sha256Hex(x));
    assert.equal(await commitHeadCheckpoint(deps, log), "committed");
    assert.deepEqual(await store.commit("quantedge/demo", 3), {
      sha: gh.commits[0].sha,
      url: "https://github.com/acme/track-record/blob/main/checkpoints/quantedge_demo/3.json",
    });
    assert.equal(await commitHeadCheckpoint(deps, log), "current");
    await log.append(await sha256Hex("d"));
    gh.failWith = 500;
    assert.equal(await commitHeadCheckpoint(deps, log), "failed");
    assert.deepEqual(logs, ["github checkpoint commit failed"]);
    gh.failWith = null;
    assert.equal(await commitHeadCheckpoint(deps, log), "committed");
    assert.deepEqual(gh.commits.map((c) => c.path), [
      "checkpoints/quantedge_demo/3.json",
      "checkpoints/quantedge_demo/4.json",
    ]);
    assert.equal(await store.latestCommittedSize("quantedge/demo"), 4);
  }));
