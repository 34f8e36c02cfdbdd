/**
 * Account tools: the agent bootstrap (an invite code → an account and its API key), who am I, tiers and API
 * keys. Creating accounts and keys is not idempotent (the document's table: confirm with list_api_keys).
 */
import { z } from "zod";
import {
  allTiers,
  changeProfile,
  confirmEmail,
  createApiKey,
  listApiKeys,
  myTier,
  registerAgent,
  revokeApiKey,
  userView,
} from "../../domain/auth/identity.ts";
import { API_KEY_PREFIX } from "../../domain/auth/sessions.ts";
import { ConfirmEmailBody, InviteBody, ProfileBody } from "../../routes/schemas/auth.ts";
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
  defineTool({
    name: "update_profile",
    title: "Update my profile",
    description: "Optional for agents (an API key never depends on it): sets my nickname and/or password, " +
      "or starts an email change (PATCH /api/v1/auth/profile). Give at least one field. A new email is not " +
      "attached yet: it shows as pending_email and a 6-digit code (valid 10 minutes, 5 tries) is mailed to it; " +
      "confirm_email_change attaches it. A new password signs out every signed-in session (API keys keep " +
      "working). Answers the updated account. Idempotent (the document's table: same data, same result); " +
      "destructive, since a new password replaces the old one. A taken nickname answers 409.",
    input: z.strictObject({
      nickname: ProfileBody.shape.nickname.describe(
        "Display name on public pages: 2–30 letters, digits, CJK characters, '_' or '-', unique (ignoring case)",
      ),
      email: ProfileBody.shape.email.describe(
        "A new email (not @quantedge.local or @quantgpt.local): a code is mailed to it for confirm_email_change",
      ),
      password: ProfileBody.shape.password.describe("A new password, 8–128 characters (for email sign-in)"),
    }).refine((b) => Object.values(b).some((v) => v !== undefined), {
      message: "Send at least one of nickname, email, password",
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, change) =>
      changeProfile(
        ctx.deps.auth,
        { userId: ctx.user().id, sessionId: ctx.caller.principal!.sessionId },
        change,
        ctx.caller.clientIp,
      ),
  }),
  defineTool({
    name: "confirm_email_change",
    title: "Confirm my new email",
    description: "Attaches the pending email set by update_profile with the 6-digit code mailed to it " +
      "(POST /api/v1/auth/profile/email/confirm). A wrong, expired (10 minutes) or used-up (5 wrong tries) " +
      "code answers 422 on `code`; 409 when another account took the address meanwhile. Answers the account.",
    input: z.strictObject({
      code: ConfirmEmailBody.shape.code.describe("The 6-digit code mailed to the pending email"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { code }) => confirmEmail(ctx.deps.auth, ctx.user().id, code),
  }),
];
