/**
 * The public-record and transparency-log MCP tools over loopback with the SDK client, anonymously: on the demo
 * record (three public strategies replayed through the real submission, settlement and log code), each tool
 * answers the JSON of its HTTP route for the same state, its proofs verify, bad arguments are 422s naming the
 * field, and refusals carry a recovery line.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../app/market_services.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { fixedClock } from "../../domain/clock.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import {
  type ConsistencyProof,
  type InclusionProof,
  verifyConsistencyProof,
  verifyInclusionProof,
} from "../../domain/attestation/transparency_log.ts";
import { DEMO_SLUGS, replayDemo } from "../../scripts/demo_replay.ts";
import { connectMcp, type McpTestClient, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 2026-11-20 20:00 Asia/Shanghai, after settlement
const DAYS = 8;
const SLUG = DEMO_SLUGS[0]; // demo-reversal: the one with a claimed history
const sse = getCalendar("SSE");
/** The replay's first day (every demo strategy submits a signal on it). */
const FIRST = sse.tradingDayOffset(sse.latestCompletedTradingDay(NOW), -(DAYS - 1));

/** A world with the demo record replayed over the last `DAYS` trading days, served, and an anonymous client. */
async function withDemoRecord(fn: (w: TestWorld, mcp: McpTestClient) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  const served = serveWorld(w);
  try {
    const market = buildMarketServices(w.kv, fixedClock(NOW), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    await replayDemo(
      { ...w.deps.track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      createSettingsRepo(w.kv),
      { days: DAYS, nowMs: NOW },
    );
    w.clock.set(NOW);
    const mcp = await connectMcp(served.url);
    try {
      await fn(w, mcp);
    } finally {
      await mcp.close();
    }
  } finally {
    await served.close();
    await w.close();
  }
}

/** The JSON of `GET path` (asserting 200). */
async function httpJson(w: TestWorld, path: string): Promise<unknown> {
  const res = await w.request("GET", path);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return await res.json();
}

/** Calls `tool` and asserts it succeeded. */
async function ok(mcp: McpTestClient, tool: string, args: Record<string, unknown> = {}) {
  const out = await mcp.callTool(tool, args);
  assert.equal(out.isError, false, `${tool}: ${out.text}`);
  return out.body;
}

Deno.test("public-record tools answer what their HTTP routes answer, without an API key", () =>
  withDemoRecord(async (w, mcp) => {
    const base = "/api/v1/public/strategies";
    const list = await ok(mcp, "list_public_strategies");
    assert.deepEqual(list, await httpJson(w, base));
    assert.deepEqual(
      list.strategies.map((s: { slug: string }) => s.slug).sort(),
      [...DEMO_SLUGS].sort(),
      "the three demo strategies are public",
    );
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "list_public_strategies",
        { universe: "hs300", limit: 1, offset: 1 },
        `${base}?universe=hs300&limit=1&offset=1`,
      ],
      ["get_track_record", { slug: SLUG }, `${base}/${SLUG}/track-record`],
      ["get_performance", { slug: SLUG }, `${base}/${SLUG}/performance`],
      ["verify_day", { slug: SLUG }, `${base}/${SLUG}/verify`],
      ["verify_day", { slug: DEMO_SLUGS[1], date: FIRST }, `${base}/${DEMO_SLUGS[1]}/verify?date=${FIRST}`],
      ["get_audit_log", { slug: SLUG, limit: 5, offset: 2 }, `${base}/${SLUG}/audit?limit=5&offset=2`],
      ["get_audit_log", { slug: SLUG }, `${base}/${SLUG}/audit`],
      ["get_public_claimed", { slug: SLUG }, `${base}/${SLUG}/claimed`],
      ["get_log_checkpoint", {}, "/api/v1/public/log/checkpoint"],
      ["get_log_checkpoint", { log: "demo" }, "/api/v1/public/log/checkpoint?log=demo"],
      ["list_log_checkpoints", { log: "demo" }, "/api/v1/public/log/checkpoints?log=demo"],
      [
        "list_log_checkpoints",
        { log: "demo", from_size: 3, limit: 2 },
        "/api/v1/public/log/checkpoints?log=demo&from_size=3&limit=2",
      ],
      ["list_log_checkpoints", {}, "/api/v1/public/log/checkpoints"],
      ["list_log_witnesses", { log: "demo" }, "/api/v1/public/log/witnesses?log=demo"],
    ];
    for (const [tool, args, path] of cases) {
      assert.deepEqual(await ok(mcp, tool, args), await httpJson(w, path), `${tool} ${JSON.stringify(args)}`);
    }
    const record = await ok(mcp, "get_track_record", { slug: SLUG });
    assert.equal(record.records.length, DAYS);
    assert.ok(record.claimed, "demo-reversal has a claimed history");

    const { signal } = await ok(mcp, "verify_day", { slug: DEMO_SLUGS[1], date: FIRST });
    const hash = signal.signal_hash as string;
    const size = (await ok(mcp, "get_log_checkpoint", { log: "demo" })).tree_size as number;
    const logCases: [string, Record<string, unknown>, string][] = [
      [
        "get_inclusion_proof",
        { signal_hash: hash, log: "demo" },
        `/api/v1/public/log/proof/${hash}?log=demo`,
      ],
      [
        "get_inclusion_proof",
        { signal_hash: hash, tree_size: signal.log.tree_size, log: "demo" },
        `/api/v1/public/log/proof/${hash}?tree_size=${signal.log.tree_size}&log=demo`,
      ],
      [
        "get_consistency_proof",
        { first: 1, second: size, log: "demo" },
        `/api/v1/public/log/consistency?first=1&second=${size}&log=demo`,
      ],
      [
        "get_consistency_proof",
        { first: 2, second: 2, log: "demo" },
        "/api/v1/public/log/consistency?first=2&second=2&log=demo",
      ],
    ];
    for (const [tool, args, path] of logCases) {
      assert.deepEqual(await ok(mcp, tool, args), await httpJson(w, path), `${tool} ${JSON.stringify(args)}`);
    }
  }));

Deno.test("the log tools' proofs verify against the checkpoint, and the verify_day package checks out", () =>
  withDemoRecord(async (_w, mcp) => {
    const checkpoint = await ok(mcp, "get_log_checkpoint", { log: "demo" });
    assert.ok(checkpoint.tree_size >= DAYS, "every demo signal version is logged (in the demo's own log)");
    assert.equal((await ok(mcp, "get_log_checkpoint")).tree_size, 0, "the production log holds no demo leaf");
    const pinned = checkpoint.public_key as string;
    const day = await ok(mcp, "verify_day", { slug: DEMO_SLUGS[1], date: FIRST });
    const { signal, verification } = day;
    assert.ok(signal, "demo-momentum signals on the first day");

    // Inclusion: at the current size and at the size the signal was logged at, by the domain's own checks.
    const now = await ok(mcp, "get_inclusion_proof", { signal_hash: signal.signal_hash, log: "demo" });
    assert.deepEqual(now.signal, { strategy_slug: DEMO_SLUGS[1], trade_date: verification.date });
    assert.equal(now.tree_size, checkpoint.tree_size);
    assert.equal(await verifyInclusionProof(now as InclusionProof, pinned), true);
    const then = await ok(mcp, "get_inclusion_proof", {
      signal_hash: signal.signal_hash,
      tree_size: signal.log.tree_size,
      log: "demo",
    });
    assert.equal(await verifyInclusionProof(then as InclusionProof, pinned), true);
    assert.equal(await verifyInclusionProof(signal.log.inclusion_proof, pinned), true);
    const tampered = { ...now, audit_path: [...now.audit_path].reverse(), leaf_index: now.leaf_index ^ 1 };
    assert.equal(
      await verifyInclusionProof(tampered as InclusionProof, pinned),
      false,
      "a tampered proof fails",
    );

    // Consistency: from the size the signal was logged at to the current checkpoint, and from every size.
    const consistency = await ok(mcp, "get_consistency_proof", {
      first: signal.log.tree_size,
      second: checkpoint.tree_size,
      log: "demo",
    });
    assert.equal(consistency.first_root, then.root_hash);
    assert.equal(consistency.second_root, checkpoint.root_hash);
    assert.equal(await verifyConsistencyProof(consistency as ConsistencyProof), true);
    for (let first = 1; first <= checkpoint.tree_size; first++) {
      const p = await ok(mcp, "get_consistency_proof", { first, second: checkpoint.tree_size, log: "demo" });
      assert.equal(
        await verifyConsistencyProof(p as ConsistencyProof),
        true,
        `consistency ${first} → ${checkpoint.tree_size}`,
      );
    }
    if (consistency.proof.length > 0) {
      const bent = { ...consistency, second_root: then.root_hash };
      assert.equal(
        await verifyConsistencyProof(bent as ConsistencyProof),
        false,
        "a proof against another root fails",
      );
    }

    // The document's steps 3 and 4 on the package as an agent reads it.
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode([...verification.symbols].sort().join(",")),
    );
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(verification.symbols_hash, hex.slice(0, 16));
    const positions = verification.positions.reduce(
      (s: number, p: { market_value: number }) => s + p.market_value,
      0,
    );
    assert.ok(Math.abs(positions + verification.cash - verification.nav) <= 1e-9 * verification.nav);
  }));

Deno.test("public-record tools refuse bad arguments with a 422 naming the field", () =>
  withDemoRecord(async (_w, mcp) => {
    const cases: [string, Record<string, unknown>, (string | number)[]][] = [
      ["list_public_strategies", { universe: "sp500" }, ["universe"]],
      ["list_public_strategies", { limit: 201 }, ["limit"]],
      ["get_audit_log", { slug: SLUG, limit: "5" }, ["limit"]],
      ["get_audit_log", { slug: SLUG, offset: -1 }, ["offset"]],
      ["verify_day", { slug: SLUG, date: "2026-02-30" }, ["date"]],
      ["verify_day", { slug: SLUG, date: 20261120 }, ["date"]],
      ["get_track_record", {}, ["slug"]],
      ["get_performance", { slug: SLUG, window: 60 }, ["window"]],
      ["get_log_checkpoint", { tree_size: 1 }, ["tree_size"]],
      ["get_inclusion_proof", { signal_hash: "ABC" }, ["signal_hash"]],
      ["get_inclusion_proof", { signal_hash: "a".repeat(64), tree_size: 0 }, ["tree_size"]],
      ["get_consistency_proof", { first: 1.5, second: 2 }, ["first"]],
      ["get_consistency_proof", { first: 1 }, ["second"]],
      ["get_log_checkpoint", { log: "staging" }, ["log"]],
      ["list_log_checkpoints", { limit: 1001 }, ["limit"]],
      ["list_log_witnesses", { log: 1 }, ["log"]],
    ];
    for (const [tool, args, loc] of cases) {
      const out = await mcp.callTool(tool, args);
      const what = `${tool} ${JSON.stringify(args)}`;
      assert.equal(out.isError, true, what);
      assert.equal(out.body.error.status, 422, what);
      assert.deepEqual(out.body.error.detail[0].loc, loc, what);
      assert.match(out.text, new RegExp(`^422 validation_error: ${loc.join("\\.")}:`), what);
      assert.match(out.body.error.recovery, /Fix the field named in `loc`/, what);
    }
  }));

Deno.test("unknown slugs, unsettled days and out-of-range proofs come back with a recovery line", () =>
  withDemoRecord(async (_w, mcp) => {
    for (
      const tool of [
        "get_track_record",
        "get_performance",
        "verify_day",
        "get_audit_log",
        "get_public_claimed",
      ]
    ) {
      const out = await mcp.callTool(tool, { slug: "no-such-strategy" });
      assert.equal(out.isError, true, tool);
      assert.equal(out.body.error.status, 404, tool);
      assert.equal(out.body.error.type, "not_found");
      assert.match(out.body.error.detail, /no-such-strategy/);
      assert.match(out.body.error.recovery, /list_public_strategies/, tool);
      assert.match(out.text, /\nRecovery: .*list_public_strategies/);
    }
    const next = sse.tradingDayOffset(sse.latestCompletedTradingDay(NOW), 1);
    const unsettled = await mcp.callTool("verify_day", { slug: SLUG, date: next });
    assert.equal(unsettled.body.error.status, 404);
    assert.match(unsettled.body.error.recovery, /18:15 Asia\/Shanghai/);
    const noClaim = await mcp.callTool("get_public_claimed", { slug: DEMO_SLUGS[1] });
    assert.equal(noClaim.body.error.status, 404, "demo-momentum has no claimed history");

    const size = (await ok(mcp, "get_log_checkpoint")).tree_size as number;
    const beyond = await mcp.callTool("get_consistency_proof", { first: 1, second: size + 1 });
    assert.equal(beyond.body.error.status, 400);
    assert.match(beyond.body.error.recovery, /get_log_checkpoint/);
    const reversed = await mcp.callTool("get_consistency_proof", { first: 2, second: 1 });
    assert.equal(reversed.body.error.status, 400);
    const missing = await mcp.callTool("get_inclusion_proof", { signal_hash: "0".repeat(64) });
    assert.equal(missing.body.error.status, 404);
    assert.match(missing.body.error.recovery, /signal_hash/);
  }));

Deno.test("public-record tools are listed read-only, with strict inputs and the verification steps", () =>
  withDemoRecord(async (_w, mcp) => {
    const { tools } = await mcp.client.listTools();
    const names = [
      "list_public_strategies",
      "get_track_record",
      "get_performance",
      "verify_day",
      "get_audit_log",
      "get_public_claimed",
      "get_log_checkpoint",
      "get_inclusion_proof",
      "get_consistency_proof",
      "list_log_checkpoints",
      "list_log_witnesses",
    ];
    for (const name of names) {
      const tool = tools.find((t: { name: string }) => t.name === name);
      assert.ok(tool, name);
      assert.deepEqual(tool.annotations, {
        title: tool.title,
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
      assert.equal(tool.inputSchema.additionalProperties, false, name);
    }
    const verify = tools.find((t: { name: string }) => t.name === "verify_day")!;
    for (
      const phrase of [
        "symbols_hash",
        "SHA256(comma-joined sorted symbols)",
        "market_value",
        "09:15",
        "18:15",
      ]
    ) {
      assert.ok(verify.description!.includes(phrase), phrase);
    }
  }));
