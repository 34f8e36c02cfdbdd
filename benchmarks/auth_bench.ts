/** Per-request cost of authentication (JWT and API key), of an OTP check, and of one password hash. */
import { createApiKey } from "../domain/auth/api_keys.ts";
import { hashPassword } from "../domain/auth/password.ts";
import { authenticate, issueSession } from "../domain/auth/sessions.ts";
import { newUserRecord } from "../domain/auth/user_view.ts";
import { openTestWorld } from "../tests/_helpers/test_app.ts";

const world = await openTestWorld();
const auth = world.deps.auth;
const user = newUserRecord(
  { id: "usr_bench", email: "bench@example.com", email_verified: true },
  world.clock.now(),
);
await auth.users.create(user);
const pair = await issueSession(auth, user);
const key = await createApiKey(auth, user, "bench");

Deno.bench(
  "authenticate(): access token (verify JWT + session and user read)",
  { group: "auth" },
  async () => {
    await authenticate(auth, pair.access_token);
  },
);

Deno.bench("authenticate(): API key (SHA-256 + index and user read)", { group: "auth" }, async () => {
  await authenticate(auth, key.api_key);
});

Deno.bench("GET /api/v1/auth/me through the whole app (access token)", { group: "http" }, async () => {
  const res = await world.request("GET", "/api/v1/auth/me", { token: pair.access_token });
  await res.body?.cancel();
});

Deno.bench("GET /health through the whole app", { group: "http" }, async () => {
  const res = await world.request("GET", "/health");
  await res.body?.cancel();
});

Deno.bench("hashPassword(): PBKDF2-SHA256, 600,000 iterations", { n: 10, warmup: 1 }, async () => {
  await hashPassword("correct horse battery staple");
});
