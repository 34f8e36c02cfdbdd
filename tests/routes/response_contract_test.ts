/**
 * The response contract: `/openapi.json` declares every field a client reads (no catch-all response schema), and
 * the checker behind every route test refuses an undeclared key, a wrong type and a missing required key.
 */
import assert from "node:assert/strict";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  assertMeetsContract,
  catchAllSchemas,
  checkResponse,
  checkValue,
  type OpenApiDoc,
  openApiDocument,
} from "../_helpers/response_contract.ts";
import { openTestWorld } from "../_helpers/test_app.ts";
import type { AppEnv } from "../../routes/app_env.ts";

const Item = z.object({ id: z.string(), score: z.number().nullable(), tags: z.array(z.string()) }).openapi(
  "Item",
);

/** A tiny app whose one route answers whatever body the test plants, under a strict schema. */
function plantedApp(body: unknown) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    createRoute({
      method: "get",
      path: "/items/{id}",
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: {
          description: "An item",
          content: {
            "application/json": {
              schema: z.object({
                item: Item,
                related: z.array(Item),
                owner: z.union([z.object({ kind: z.literal("user"), name: z.string() }), z.null()]),
                counts: z.record(z.string(), z.number().int()),
              }),
            },
          },
        },
      },
    }),
    // deno-lint-ignore no-explicit-any
    (c) => c.json(body as any, 200),
  );
  return app;
}

const GOOD = {
  item: { id: "a", score: 1.5, tags: ["x"] },
  related: [{ id: "b", score: null, tags: [] }],
  owner: { kind: "user", name: "ann" },
  counts: { AAPL: 3 },
};

async function problemsOf(body: unknown, status = 200): Promise<string[]> {
  const app = plantedApp(body);
  const res = await app.request("/items/a");
  const doc = openApiDocument(app);
  return checkResponse(doc, { method: "GET", pathname: "/items/a" }, {
    status: status,
    contentType: res.headers.get("content-type"),
    body: await res.json(),
  });
}

Deno.test("the contract checker accepts an answer that matches its schema", async () => {
  assert.deepEqual(await problemsOf(GOOD), []);
  assert.deepEqual(await problemsOf({ ...GOOD, owner: null }), []);
});

Deno.test("the contract checker refuses an undeclared field, also inside an array item and a $ref component", async () => {
  assert.deepEqual(await problemsOf({ ...GOOD, secret: 1 }), [
    "GET /items/{id} → 200: $.secret: key not declared by the schema",
  ]);
  const nested = { ...GOOD, related: [{ ...GOOD.related[0], internal_note: "x" }] };
  assert.deepEqual(await problemsOf(nested), [
    "GET /items/{id} → 200: $.related[0].internal_note: key not declared by the schema",
  ]);
  const inUnion = { ...GOOD, owner: { kind: "user", name: "ann", email: "a@b" } };
  assert.equal((await problemsOf(inUnion)).length, 1);
});

Deno.test("the contract checker refuses a wrong JSON type, a wrong map value and a missing required field", async () => {
  assert.deepEqual(await problemsOf({ ...GOOD, item: { ...GOOD.item, score: "1.5" } }), [
    "GET /items/{id} → 200: $.item.score: expected number or null, got string",
  ]);
  assert.deepEqual(await problemsOf({ ...GOOD, counts: { AAPL: 2.5 } }), [
    "GET /items/{id} → 200: $.counts.AAPL: expected integer, got number",
  ]);
  const { tags: _, ...untagged } = GOOD.item;
  assert.deepEqual(await problemsOf({ ...GOOD, item: untagged }), [
    'GET /items/{id} → 200: $.item: missing required key "tags"',
  ]);
  assert.deepEqual(await problemsOf(GOOD, 418), ["GET /items/{id} → 418: status not declared"]);
});

Deno.test("the check behind every world.request passes a real answer and throws on it with a planted field", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/health");
    const body = await res.json();
    const answer = (b: unknown) =>
      new Response(JSON.stringify(b), { headers: { "content-type": "application/json" } });
    await assertMeetsContract(w.app, "GET", "/api/v1/health", answer(body));
    const planted = { ...body, checks: { ...body.checks, kv: { ...body.checks.kv, host: "db-1" } } };
    await assert.rejects(
      () => assertMeetsContract(w.app, "GET", "/api/v1/health", answer(planted)),
      /GET \/api\/v1\/health → 200: \$\.checks\.kv\.host: key not declared by the schema/,
    );
  } finally {
    await w.close();
  }
});

Deno.test("/openapi.json has no catch-all response schema", async () => {
  const w = await openTestWorld();
  try {
    const doc = await (await w.request("GET", "/openapi.json")).json() as OpenApiDoc;
    assert.deepEqual(catchAllSchemas(doc), []);
  } finally {
    await w.close();
  }
});

Deno.test("the catch-all finder names each kind of catch-all it is meant to find", () => {
  const doc: OpenApiDoc = {
    paths: {
      "/x": {
        get: {
          responses: {
            200: {
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      any: {},
                      loose: {
                        type: "object",
                        properties: { a: { type: "string" } },
                        additionalProperties: {},
                      },
                      bare: { type: "object" },
                      map: { type: "object", additionalProperties: { type: "number" } },
                      ref: { $ref: "#/components/schemas/Open" },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    components: { schemas: { Open: { type: "object", additionalProperties: true } } },
  };
  assert.deepEqual(catchAllSchemas(doc), [
    "GET /x 200 $.any: any value",
    "GET /x 200 $.loose: undeclared keys allowed",
    "GET /x 200 $.bare: object without properties",
    "GET /x 200 $.ref(Open): undeclared keys allowed",
  ]);
});

Deno.test("an allOf extended again (allOf inside allOf) declares the keys of every level, and only those", () => {
  const doc = {
    paths: {},
    components: {
      schemas: {
        Base: { type: "object", properties: { a: { type: "number" } }, required: ["a"] },
        Mid: {
          allOf: [{ $ref: "#/components/schemas/Base" }, {
            type: "object",
            properties: { b: { type: "string" } },
          }],
        },
      },
    },
  } as unknown as OpenApiDoc;
  const top = {
    allOf: [{ $ref: "#/components/schemas/Mid" }, { type: "object", properties: { c: { type: "boolean" } } }],
  };
  assert.deepEqual(checkValue(doc, top, { a: 1, b: "x", c: true }, "$"), []);
  assert.deepEqual(checkValue(doc, top, { a: 1, b: "x", c: true, d: 0 }, "$").length > 0, true);
  assert.ok(checkValue(doc, top, { b: "x" }, "$").some((p) => p.includes('missing required key "a"')));
});
