import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";

type Json = Record<string, unknown>;
type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Json }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, Json>; required?: string[] }> };
};

async function openapi(): Promise<Doc> {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/openapi.json");
    assert.equal(res.status, 200);
    return await res.json();
  } finally {
    await w.close();
  }
}

const bodyRef = (doc: Doc, path: string, method: string) =>
  String(doc.paths[path]?.[method]?.requestBody?.content["application/json"].schema.$ref ?? "")
    .replace("#/components/schemas/", "");

Deno.test("/openapi.json documents the email confirmation endpoint and the pending email fields", async () => {
  const doc = await openapi();
  assert.equal(bodyRef(doc, "/api/v1/auth/profile/email/confirm", "post"), "ConfirmEmailChange");
  assert.deepEqual(doc.components.schemas.ConfirmEmailChange.required, ["code"]);
  const user = doc.components.schemas.User;
  for (const field of ["pending_email", "pending_email_expires_at"]) {
    assert.ok(user.properties?.[field], field);
    assert.ok(user.required?.includes(field), field);
  }
});

Deno.test("/openapi.json documents PATCH /library/{id} and the is_public field", async () => {
  const doc = await openapi();
  const ref = bodyRef(doc, "/api/v1/library/{id}", "patch");
  assert.equal(ref, "LibraryVisibility");
  assert.deepEqual(doc.components.schemas.LibraryVisibility.properties?.is_public?.type, "boolean");
  assert.equal(doc.components.schemas.LibraryStrategy.properties?.is_public?.type, "boolean");
  assert.ok(doc.components.schemas.LibraryStrategy.required?.includes("is_public"));
});
