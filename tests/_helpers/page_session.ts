/** Drives the dashboard pages like a browser would: OTP sign-in through the page forms, cookies, same-origin posts. */
import { lastOtp, type TestWorld } from "./test_app.ts";

/** The origin `app.request` answers as (its default base URL). */
export const PAGE_ORIGIN = "http://localhost";

/** `name=value` pairs of every `Set-Cookie` of `res`, joined for a `Cookie` header (deleted cookies dropped). */
export function cookiesOf(res: Response, previous = ""): string {
  const jar = new Map<string, string>();
  for (const part of previous.split(";").map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    jar.set(part.slice(0, i), part.slice(i + 1));
  }
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair.indexOf("=");
    const name = pair.slice(0, i);
    const value = pair.slice(i + 1);
    if (value === "" || /max-age=0\b/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** GETs a page with the session's cookies (no redirect following). */
export function getPage(world: TestWorld, path: string, cookie = ""): Promise<Response> {
  return world.app.request(path, { headers: cookie ? { cookie } : {} }) as Promise<Response>;
}

/** POSTs a form to a page route as the page itself would (same-origin headers, the session's cookies). */
export function postForm(
  world: TestWorld,
  path: string,
  form: Record<string, string>,
  cookie = "",
  headers: Record<string, string> = {},
): Promise<Response> {
  return world.app.request(path, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: PAGE_ORIGIN,
      "sec-fetch-site": "same-origin",
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  }) as Promise<Response>;
}

/** Signs `email` in through the page forms; answers the `Cookie` header value of the new session. */
export async function signInPage(world: TestWorld, email: string, ip = "10.0.0.1"): Promise<string> {
  const headers = { "x-forwarded-for": ip };
  const r1 = await postForm(world, "/app/sign-in/code", { email, next: "/app" }, "", headers);
  if (r1.status !== 200) throw new Error(`sign-in code ${r1.status}: ${await r1.text()}`);
  await r1.body?.cancel();
  const r2 = await postForm(
    world,
    "/app/sign-in/verify",
    { email, otp_code: lastOtp(world.sent, email), next: "/app" },
    "",
    headers,
  );
  if (r2.status !== 303) throw new Error(`sign-in verify ${r2.status}: ${await r2.text()}`);
  const cookie = cookiesOf(r2);
  if (!cookie.includes("qe_session=")) throw new Error("sign-in set no session cookie");
  return cookie;
}

/** The access token the page's scripts would get (`POST /app/session/token`). */
export async function pageToken(world: TestWorld, cookie: string): Promise<string> {
  const res = await postForm(world, "/app/session/token", {}, cookie);
  if (res.status !== 200) throw new Error(`session token ${res.status}`);
  return (await res.json()).access_token;
}
