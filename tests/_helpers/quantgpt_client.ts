/**
 * A client of the QuantGPT Cloud guide for the factor and portfolio conformance files: a test world, an admin
 * invite code "YOUR_CODE", and accounts made the Agent Quickstart way (invite → API key used for every call).
 */
import assert from "node:assert/strict";
import { openTestWorld, signInAdmin, type TestWorld } from "./test_app.ts";

/** A bearer-credential client of the world, reading answers as the guide's untyped client does. */
export interface GuideClient {
  w: TestWorld;
  token: string;
  // deno-lint-ignore no-explicit-any -- answers are read as the guide's untyped client reads them
  call(method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, any> }>;
}

/** A client of `w` holding `token`. */
export function guideClient(w: TestWorld, token: string, ip = "10.7.0.1"): GuideClient {
  return {
    w,
    token,
    async call(method, path, json) {
      const res = await w.request(method, path, {
        json,
        token: this.token,
        headers: { "x-forwarded-for": ip },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
  };
}

/** The Agent Quickstart: a new anonymous account through "YOUR_CODE", then its API key. */
export async function guideAccount(w: TestWorld, ip = "10.7.0.1"): Promise<GuideClient> {
  const anon = guideClient(w, "", ip);
  const invited = await anon.call("POST", "/api/v1/auth/invite", { invite_code: "YOUR_CODE" });
  assert.equal(invited.status, 200, JSON.stringify(invited.body));
  const c = guideClient(w, invited.body.access_token, ip);
  const key = await c.call("POST", "/api/v1/billing/api-keys", { name: "my-agent" });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  c.token = key.body.api_key;
  return c;
}

/** Opens a world (extra `env` settings) with the invite code "YOUR_CODE" (50 uses), runs `fn`, closes it. */
export async function withGuideWorld(
  fn: (w: TestWorld, admin: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const w = await openTestWorld(env);
  try {
    const admin = (await signInAdmin(w)).access_token;
    const res = await w.request("POST", "/api/v1/admin/invite-codes", {
      token: admin,
      json: { code: "YOUR_CODE", max_uses: 50 },
    });
    assert.equal(res.status, 201, await res.clone().text());
    await fn(w, admin);
  } finally {
    await w.close();
  }
}
