import assert from "node:assert/strict";
import { assertDocumentField, assertDocumentShape } from "../_helpers/document_shape.ts";

const EXAMPLE = {
  strategies: [{ slug: "hs300-ml-alpha", nav: 1052300.5, activated_at: null, tags: ["a"] }],
  total: 1,
};

Deno.test("assertDocumentShape passes an answer with every documented field (extra fields are fine)", () => {
  assertDocumentShape({
    strategies: [
      { slug: "a", nav: 1, activated_at: null, tags: ["x"], extra: true },
      { slug: "b", nav: 2, activated_at: "2026-05-14T07:20:00Z", tags: [] },
    ],
    total: 2,
    items: [],
  }, EXAMPLE);
});

Deno.test("assertDocumentShape fails on a renamed, missing or retyped field, in any record of a list", () => {
  const ok = { slug: "a", nav: 1, activated_at: null, tags: [] };
  const renamed = { slug: "b", latest_nav: 1, activated_at: null, tags: [] };
  assert.throws(
    () => assertDocumentShape({ strategies: [ok, renamed], total: 2 }, EXAMPLE),
    /\$\.strategies\[\]\.nav/,
  );
  assert.throws(
    () => assertDocumentShape({ items: [ok], total: 1 }, EXAMPLE),
    /missing documented field \$\.strategies/,
  );
  assert.throws(
    () => assertDocumentShape({ strategies: [{ ...ok, nav: "1" }], total: 1 }, EXAMPLE),
    /is string/,
  );
  assert.throws(
    () => assertDocumentShape({ strategies: [{ ...ok, activated_at: 5 }], total: 1 }, EXAMPLE),
    /null/,
  );
  assert.throws(
    () => assertDocumentShape({ strategies: {}, total: 1 }, EXAMPLE),
    /is object, the document shows array/,
  );
});

Deno.test("assertDocumentShape options: integer ids, nullable paths, null everywhere", () => {
  const doc = { id: 1, score: 92.1 };
  assertDocumentShape({ id: 7, score: 1.5 }, doc, { integers: new Set(["id"]) });
  assert.throws(
    () => assertDocumentShape({ id: 7.5, score: 1 }, doc, { integers: new Set(["id"]) }),
    /integer/,
  );
  assert.throws(() => assertDocumentShape({ id: 1, score: null }, doc), /is null/);
  assertDocumentShape({ id: 1, score: null }, doc, { nullable: ["$.score"] });
  assertDocumentShape({ id: null, score: null }, doc, { nullable: true });
});

Deno.test("assertDocumentField checks presence and one of the listed types", () => {
  assertDocumentField({ a: null }, "a", "number|null");
  assert.throws(() => assertDocumentField({ a: "1" }, "a", "number|null"), /is string/);
  assert.throws(() => assertDocumentField({}, "a", "number"), /missing documented field "a"/);
});
