/**
 * Signing in and out of the dashboard: `/app/sign-in` (email → a 6-digit code by mail → signed in), the token
 * hand-off for the pages' scripts (`POST /app/session/token`), and `POST /app/sign-out`. The forms work without
 * JavaScript. The answer to "send me a code" is the same whether or not an account exists (the domain's OTP
 * request), and every wrong, expired or unknown code gets the same message.
 */
import { Hono } from "hono";
import type { AuthDeps } from "../../domain/auth/auth_deps.ts";
import type { GithubDeps } from "../../domain/auth/github_oauth.ts";
import { requestOtp, verifyOtp } from "../../domain/auth/otp.ts";
import { signOut } from "../../domain/auth/identity.ts";
import { DomainError, RateLimitError } from "../../domain/errors.ts";
import type { AppEnv } from "../app_env.ts";
import { GithubButton, githubSignInPages } from "./account/github_sign_in.tsx";
import { renderPage } from "./layout.tsx";
import { clearSessionCookies, refreshCookieOf, safeNext, setSessionCookies } from "./page_auth.ts";

/** The longest email or code field read from a form. */
const MAX_FIELD = 320;

const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === "string" ? (body[name] as string).slice(0, MAX_FIELD).trim() : "";

function EmailForm(props: { next: string; email?: string; error?: string; github: boolean }) {
  return (
    <>
      <EmailCodeRequest {...props} />
      {props.github ? <GithubButton next={props.next} /> : null}
    </>
  );
}

function EmailCodeRequest(props: { next: string; email?: string; error?: string }) {
  return (
    <form method="post" action="/app/sign-in/code" class="card narrow">
      <p>We send a 6-digit code to your email. 我们会把验证码发到你的邮箱。</p>
      {props.error ? <p class="error" role="alert">{props.error}</p> : null}
      <label for="email">Email 邮箱</label>
      <input id="email" name="email" type="email" required autocomplete="email" value={props.email ?? ""} />
      <input type="hidden" name="next" value={props.next} />
      <button type="submit">Send code 发送验证码</button>
    </form>
  );
}

function CodeForm(props: { next: string; email: string; message?: string; error?: string }) {
  return (
    <form method="post" action="/app/sign-in/verify" class="card narrow">
      {props.message ? <p role="status">{props.message}</p> : null}
      {props.error ? <p class="error" role="alert">{props.error}</p> : null}
      <input type="hidden" name="email" value={props.email} />
      <input type="hidden" name="next" value={props.next} />
      <label for="otp_code">6-digit code 验证码</label>
      <input
        id="otp_code"
        name="otp_code"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6}"
        maxlength={6}
        required
      />
      <button type="submit">Sign in 登录</button>
      <p>
        <a href={`/app/sign-in?next=${encodeURIComponent(props.next)}`}>Use another email</a>
      </p>
    </form>
  );
}

const messageOf = (e: unknown) =>
  e instanceof RateLimitError
    ? "Too many attempts: wait a minute and try again."
    : e instanceof DomainError
    ? e.message
    : "Something went wrong: try again.";

/** The sign-in (by email code, and by GitHub when `github` is configured), token hand-off and sign-out routes. */
export function sessionPages(auth: AuthDeps, production: boolean, github?: GithubDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const withGithub = github !== undefined;
  const cookieOpts = { production, refreshTtlMs: auth.settings.refreshTokenTtlMs };

  app.get("/app/sign-in", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("pageUser")) return c.redirect(next, 303);
    return renderPage(c, {
      title: "Sign in",
      zh: "登录",
      children: <EmailForm next={next} github={withGithub} />,
    });
  });

  app.post("/app/sign-in/code", async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(field(body, "next"));
    const email = field(body, "email");
    try {
      const { message } = await requestOtp(auth, email, c.get("clientIp"));
      return renderPage(c, {
        title: "Enter your code",
        zh: "输入验证码",
        children: <CodeForm next={next} email={email} message={message} />,
      });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return renderPage(c, {
        title: "Sign in",
        zh: "登录",
        children: <EmailForm next={next} email={email} error={messageOf(e)} github={withGithub} />,
      }, e instanceof RateLimitError ? 429 : 400);
    }
  });

  app.post("/app/sign-in/verify", async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(field(body, "next"));
    const email = field(body, "email");
    try {
      const pair = await verifyOtp(
        auth,
        email,
        field(body, "otp_code"),
        c.get("clientIp"),
        auth.settings.accessTokenTtlMs,
      );
      setSessionCookies(c, pair, cookieOpts);
      return c.redirect(next, 303);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return renderPage(c, {
        title: "Enter your code",
        zh: "输入验证码",
        children: <CodeForm next={next} email={email} error={messageOf(e)} />,
      }, e instanceof RateLimitError ? 429 : 401);
    }
  });

  // The access token for the page's scripts (which call the public API with it). Never cached.
  app.post("/app/session/token", (c) => {
    c.header("Cache-Control", "no-store");
    const user = c.get("pageUser");
    if (!user) return c.json({ detail: "Not signed in" }, 401);
    return c.json({ access_token: user.accessToken, token_type: "bearer" as const });
  });

  app.post("/app/sign-out", async (c) => {
    const user = c.get("pageUser");
    await signOut(auth, { refreshToken: refreshCookieOf(c), credential: user?.accessToken ?? null });
    clearSessionCookies(c, production);
    return c.redirect("/app", 303);
  });
  app.route("/", githubSignInPages(auth, production, github));
  return app;
}
