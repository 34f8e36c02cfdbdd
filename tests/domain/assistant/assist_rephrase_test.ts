/** `rephrase` for /explain: a model's wording is used only when it keeps every number and adds none. */
import assert from "node:assert/strict";
import { rephrase } from "../../../domain/assistant/rephrase.ts";
import { geminiSchemaAt, startFakeGemini, turnReply } from "../../_helpers/fake_gemini.ts";
import { openTestWorld } from "../../_helpers/test_app.ts";

const KEY = "AIzaFAKE-rephrase-key-000111222";
const ORIGINAL =
  "Buys when the 20-day SMA crosses above the 50-day SMA; sells on the opposite cross or a 5% stop loss. " +
  "Each position takes 100% of the 100,000 capital; fees are 0.1% per side.";

Deno.test("rephrase: offline keeps the original and asks nothing", async () => {
  const world = await openTestWorld();
  try {
    const out = await rephrase(world.deps.assistant, "u1", ORIGINAL, "en");
    assert.deepEqual(out, { text: ORIGINAL, rephrased: false, provider: "offline", model: null, notes: [] });
  } finally {
    await world.close();
  }
});

Deno.test("rephrase: a rephrasing that keeps every number is used; one that changes a number is not", async () => {
  const good =
    "When the 20-day average rises above the 50-day average it buys; it sells on the reverse cross or " +
    "after a 5% loss. Every trade uses 100% of the 100000 starting cash, and each side costs 0.1%.";
  const fake = startFakeGemini([
    { json: turnReply({ kind: "explain", message: good }) },
    { json: turnReply({ kind: "explain", message: good.replace("5%", "6%") }) },
    { json: turnReply({ kind: "explain", message: good.replace(" or after a 5% loss", "") }) },
    { json: turnReply({ kind: "needs_info", message: "What strategy?" }) },
    { status: 503, echo: KEY },
  ]);
  const world = await openTestWorld({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: fake.baseUrl });
  try {
    const deps = world.deps.assistant;
    const used = await rephrase(deps, "u1", ORIGINAL, "en");
    assert.equal(used.text, good);
    assert.equal(used.rephrased, true);
    assert.equal(used.provider, "gemini");
    // The request was an explain task with no draft schema.
    const req = fake.requests[0];
    assert.equal(req.body.generationConfig?.responseMimeType, "application/json");
    assert.deepEqual(geminiSchemaAt(req.body.generationConfig, "responseJsonSchema.properties.draft"), {
      type: "null",
    });
    assert.match(req.body.systemInstruction!.parts[0].text, /Keep every number exactly as written/);
    assert.match(req.body.contents[0].parts[0].text, /^Explanation to rephrase:/);

    const added = await rephrase(deps, "u1", ORIGINAL, "en");
    assert.equal(added.text, ORIGINAL);
    assert.equal(added.rephrased, false);
    assert.deepEqual(added.notes, ["gemini's rephrasing was not used: it dropped 5; the original is shown"]);

    const dropped = await rephrase(deps, "u1", ORIGINAL, "en");
    assert.equal(dropped.text, ORIGINAL);
    assert.match(dropped.notes[0], /it dropped 5;/);

    const wrongKind = await rephrase(deps, "u1", ORIGINAL, "en");
    assert.equal(wrongKind.text, ORIGINAL);
    assert.match(wrongKind.notes[0], /did not rephrase/);

    const failed = await rephrase(deps, "u1", ORIGINAL, "en");
    assert.equal(failed.text, ORIGINAL);
    assert.match(failed.notes[0], /^gemini could not rephrase the explanation \(HTTP 503/);
    assert.ok(!JSON.stringify([failed, world.logs]).includes(KEY));
  } finally {
    await fake.close();
    await world.close();
  }
});

Deno.test("rephrase: a number the model adds is refused", async () => {
  const fake = startFakeGemini([
    { json: turnReply({ kind: "explain", message: `${ORIGINAL} It returned 12% a year.` }) },
  ]);
  const world = await openTestWorld({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: fake.baseUrl });
  try {
    const out = await rephrase(world.deps.assistant, "u1", ORIGINAL, "en");
    assert.equal(out.text, ORIGINAL);
    assert.deepEqual(out.notes, ["gemini's rephrasing was not used: it added 12; the original is shown"]);
  } finally {
    await fake.close();
    await world.close();
  }
});
