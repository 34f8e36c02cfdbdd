/**
 * Password login takes the same path whatever the outcome: a disabled account with the right password, the
 * same with a wrong one, an unknown email and an enabled account with a wrong password each run one PBKDF2
 * hash (600,000 iterations) and answer 401. Also the cost of a refresh-token rotation next to a replay of the
 * just-rotated token inside the grace window (which re-reads and decrypts instead of writing).
 */
import { adminUpdateUser, login } from "../domain/auth/accounts.ts";
import { hashPassword } from "../domain/auth/password.ts";
import { issueSession, refreshSession } from "../domain/auth/sessions.ts";
import { newUserRecord } from "../domain/auth/user_view.ts";
import { openTestWorld } from "../tests/_helpers/test_app.ts";

const world = await openTestWorld({
  RATE_LIMIT_LOGIN: "100000000/1m",
  RATE_LIMIT_REFRESH_PER_IP: "100000000/1m",
});
const auth = world.deps.auth;
const PASSWORD = "correct horse battery staple";
const passwordHash = await hashPassword(PASSWORD);
for (const [id, email] of [["usr_off", "off@example.com"], ["usr_on", "on@example.com"]]) {
  await auth.users.create(
    newUserRecord({ id, email, email_verified: true, password_hash: passwordHash }, world.clock.now()),
  );
}
await adminUpdateUser(auth, "usr_off", { disabled: true });

const attempt = (email: string, password: string) =>
  login(auth, email, password, "10.0.0.1").catch(() => null);

Deno.bench(
  "login(): disabled account, right password → 401",
  { group: "login", n: 40, warmup: 3 },
  async () => {
    await attempt("off@example.com", PASSWORD);
  },
);
Deno.bench(
  "login(): disabled account, wrong password → 401",
  { group: "login", n: 40, warmup: 3 },
  async () => {
    await attempt("off@example.com", "wrong password");
  },
);
Deno.bench("login(): unknown email → 401", { group: "login", n: 40, warmup: 3 }, async () => {
  await attempt("nobody@example.com", PASSWORD);
});
Deno.bench(
  "login(): enabled account, wrong password → 401",
  { group: "login", n: 40, warmup: 3 },
  async () => {
    await attempt("on@example.com", "wrong password");
  },
);

const user = (await auth.users.get("usr_on"))!;
let live = (await issueSession(auth, user)).refresh_token;
Deno.bench("refreshSession(): rotation (new pair, one atomic commit)", { group: "refresh" }, async () => {
  live = (await refreshSession(auth, live)).refresh_token;
});
const rotated = (await issueSession(auth, user)).refresh_token;
await refreshSession(auth, rotated); // the clock stands still, so every replay below is inside the window
Deno.bench(
  "refreshSession(): replay of the just-rotated token in the grace window",
  { group: "refresh" },
  async () => {
    await refreshSession(auth, rotated);
  },
);
