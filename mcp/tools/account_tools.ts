/**
 * Account tools: the agent bootstrap (an invite code → an account and its API key), who am I, tiers and API
 * keys. Creating accounts and keys is not idempotent (the document's table: confirm with list_api_keys).
 */
import { z } from "zod";
import {
  allTiers,
  createApiKey,
  listApiKeys,
  myTier,
  registerAgent,
  revokeApiKey,
  userView,
} from "../../domain/auth/identity.ts";
import { API_KEY_PREFIX } from "../../domain/auth/sessions.ts";
import { InviteBody } from "../../routes/schemas/auth.ts";
import { CreateApiKeyBody } from "../../routes/schemas/billing.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const KeyName = CreateApiKeyBody.shape.name.describe(
  'A name for the key, 1–100 characters (e.g. "my-agent")',
);

/** The account tools. */
export const accountTools: ToolDef[] = [
  defineTool({
    name: "register_with_invite",
    title: "Register an agent account",
    description: "The agent bootstrap: redeems an invite code into a NEW anonymous account (tier free) and " +
      "creates its API key. The key (qe_…) is shown only in this answer: store it (an environment variable " +
      "or a secrets manager, never a log), then reconnect with `Authorization: Bearer <key>` and use it for " +
      "everything. Not idempotent: every call makes another account. No credential needed.",
    input: z.strictObject({
      invite_code: InviteBody.shape.invite_code.describe("The invite code you were given"),
      api_key_name: KeyName.default("my-agent"),
    }),
    access: "public",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { invite_code, api_key_name }) =>
      registerAgent(ctx.deps.auth, invite_code, ctx.caller.clientIp, api_key_name),
  }),
  defineTool({
    name: "whoami",
    title: "Who am I",
    description: "The account behind the credential: id, nickname, email, tier, profile_complete and " +
      "has_password, and whether the call came with an API key or an access token.",
    input: z.strictObject({}),
    access: "user",
    hints: READ_ONLY,
    run: (ctx) =>
      Promise.resolve({
        ...userView(ctx.deps.auth, ctx.user()),
        authenticated_with: ctx.caller.principal!.via,
      }),
  }),
  defineTool({
    name: "get_tier",
    title: "My tier and its limits",
    description:
      "My tier (free or licensed), max_strategies, the strategy universes and every limit of the " +
      "tier (API keys, backtests, paper instances, …).",
    input: z.strictObject({}),
    access: "user",
    hints: READ_ONLY,
    run: (ctx) => myTier(ctx.deps.auth, ctx.user()),
  }),
  defineTool({
    name: "list_tiers",
    title: "All tiers",
    description: "Every tier's definition and limits. No credential needed.",
    input: z.strictObject({}),
    access: "public",
    hints: READ_ONLY,
    run: () => Promise.resolve(allTiers()),
  }),
  defineTool({
    name: "list_api_keys",
    title: "List my API keys",
    description:
      "My active API keys (id, name, prefix, last4, created_at, last_used_at), newest first; the " +
      "keys themselves are never shown again. Use it to check a key still exists after a 401 or a timeout.",
    input: z.strictObject(pageArgs(50)),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, page) => listApiKeys(ctx.deps.auth, ctx.user().id, page),
  }),
  defineTool({
    name: "create_api_key",
    title: "Create an API key",
    description:
      "Creates another API key (one per agent instance, so one can be revoked alone); the key is " +
      "shown only in this answer. Not idempotent: after a timeout check list_api_keys before retrying.",
    input: z.strictObject({ name: KeyName }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { name }) => createApiKey(ctx.deps.auth, ctx.user(), name),
  }),
  defineTool({
    name: "revoke_api_key",
    title: "Revoke an API key",
    description: "Revokes one of my API keys at once (a compromised key, a retired agent). Destructive: a " +
      "client using it fails from the next call. Revoking the key this session uses ends the session's access.",
    input: z.strictObject({
      key_id: z.string().min(1).max(100)
        // A key passed as its own id would be echoed back in the 404 text, which agents log.
        .refine(
          (v) => !v.startsWith(API_KEY_PREFIX),
          "This is an API key, not its id: pass `id` from list_api_keys",
        )
        .describe("The key's id from list_api_keys (not the key itself)"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: async (ctx, { key_id }) => {
      await revokeApiKey(ctx.deps.auth, ctx.user().id, key_id);
      return { message: "API key revoked", key_id };
    },
  }),
];
