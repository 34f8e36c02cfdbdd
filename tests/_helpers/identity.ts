/** Shortcuts for identity tests: error-body assertions, invite codes, quick sign-ups. */
import assert from "node:assert/strict";
import { signInAdmin, type TestWorld } from "./test_app.ts";

/** A token pair as the sign-in routes return it. */
export interface Pair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; email: string; nickname: string | null; tier: string; profile_complete: boolean };
}

/** Asserts `res` is a JSON `{"detail": "..."}` error with `status` (and `detail`, when given); returns the body. */
export async function assertDetail(
  res: Response,
  status: number,
  detail?: string | RegExp,
): Promise<{ detail: string }> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = JSON.parse(text);
  assert.equal(typeof body.detail, "string", text);
  if (typeof detail === "string") assert.equal(body.detail, detail);
  else if (detail) assert.match(body.detail, detail);
  return body;
}

/** Asserts a 422 in the documented `{"detail": [{type, loc, msg}]}` shape; returns the issues. */
export async function assert422(
  res: Response,
  loc?: (string | number)[],
): Promise<{ type: string; loc: (string | number)[]; msg: string }[]> {
  const text = await res.text();
  assert.equal(res.status, 422, text);
  const body = JSON.parse(text);
  assert.ok(Array.isArray(body.detail) && body.detail.length > 0, text);
  for (const issue of body.detail) {
    assert.equal(typeof issue.type, "string");
    assert.ok(Array.isArray(issue.loc));
    assert.equal(typeof issue.msg, "string");
  }
  if (loc) {
    assert.ok(
      body.detail.some((i: { loc: unknown[] }) => JSON.stringify(i.loc) === JSON.stringify(loc)),
      text,
    );
  }
  return body.detail;
}

/** Reads a 200 JSON body, failing with the body text otherwise. */
export async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text) as T;
}

/** Signs in the admin and creates an invite code through `POST /admin/invite-codes`; returns code and token. */
export async function createInviteCode(
  w: TestWorld,
  body: Record<string, unknown> = { max_uses: 1 },
  adminToken?: string,
): Promise<{ code: string; adminToken: string }> {
  const token = adminToken ?? (await signInAdmin(w)).access_token;
  const res = await w.request("POST", "/api/v1/admin/invite-codes", { json: body, token });
  const invite = await ok<{ code: string }>(res, 201);
  return { code: invite.code, adminToken: token };
}

/** Redeems an invite code from `ip`. */
export function redeem(w: TestWorld, code: string, ip = "10.1.0.1"): Promise<Response> {
  return w.request("POST", "/api/v1/auth/invite", {
    json: { invite_code: code },
    headers: { "x-forwarded-for": ip },
  });
}
