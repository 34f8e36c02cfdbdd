/**
 * The QuantGPT document's agent bootstrap in one operation, for front ends that authenticate with API keys
 * only (the MCP tools): redeem an invite code into a new anonymous account and create its first API key. No
 * session is opened: the key, shown once here, is the agent's only credential.
 */
import { claimInviteAccount } from "./accounts.ts";
import { createApiKey } from "./api_keys.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { toUserView, type UserView } from "./user_view.ts";

/** A registered agent: its account and its API key (the only time `api_key` is shown). */
export interface AgentRegistration {
  user: UserView;
  api_key: string;
  api_key_id: string;
  api_key_name: string;
  created_at: string;
}

/**
 * Creates an account from `inviteCode` (the same rules, refusals and per-IP rate as `POST /auth/invite`) and
 * an API key named `keyName` for it. Each call makes a new account: not idempotent.
 */
export async function registerAgent(
  deps: AuthDeps,
  inviteCode: string,
  ip: string,
  keyName: string,
): Promise<AgentRegistration> {
  const user = await claimInviteAccount(deps, inviteCode, ip);
  const key = await createApiKey(deps, user, keyName);
  return {
    user: toUserView(user, deps.settings.adminEmails),
    api_key: key.api_key,
    api_key_id: key.id,
    api_key_name: key.name,
    created_at: key.created_at,
  };
}
