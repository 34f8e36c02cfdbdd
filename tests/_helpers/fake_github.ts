/**
 * A stand-in for GitHub on 127.0.0.1: the authorize page (approves as a chosen user), the token endpoint, and
 * the API's `/user` and `/user/emails` under `/api/v3` (GitHub Enterprise layout, so base paths are exercised).
 */

/** A GitHub account the fake knows. */
export interface FakeGithubUser {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

/** A running fake GitHub. */
export interface FakeGithub {
  /** `http://127.0.0.1:<port>`: the OAuth base URL. */
  oauthBaseUrl: string;
  /** `<oauthBaseUrl>/api/v3`: the API base URL. */
  apiBaseUrl: string;
  /** The user the authorize page approves as; `null` makes it answer `error=access_denied`. */
  approveAs: FakeGithubUser | null;
  /** When set, every endpoint answers this status with an HTML body. */
  failWith: number | null;
  /** When `true`, `/user/emails` answers 404 as GitHub does without the `user:email` scope. */
  hideEmails: boolean;
  /** Every request received: method, path and parsed JSON body (token endpoint). */
  requests: { method: string; path: string; body: Record<string, unknown> | null }[];
  /** Grants a one-time authorization code for `user`, as the authorize page does. */
  grantCode(user: FakeGithubUser): string;
  close(): Promise<void>;
}

/** Starts a fake GitHub for an OAuth app with the given credentials. */
export function startFakeGithub(clientId: string, clientSecret: string): FakeGithub {
  const codes = new Map<string, FakeGithubUser>();
  const tokens = new Map<string, FakeGithubUser>();
  let counter = 0;
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  const fake: FakeGithub = {
    oauthBaseUrl: "",
    apiBaseUrl: "",
    approveAs: null,
    failWith: null,
    hideEmails: false,
    requests: [],
    grantCode(user) {
      const code = `code_${++counter}_${crypto.randomUUID().slice(0, 8)}`;
      codes.set(code, user);
      return code;
    },
    close: () => server.shutdown(),
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST" ? await req.json().catch(() => null) : null;
    fake.requests.push({ method: req.method, path: url.pathname, body });
    if (fake.failWith !== null) return new Response("<html>unicorn</html>", { status: fake.failWith });

    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      if (url.searchParams.get("client_id") !== clientId || !fake.approveAs) {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "The user has denied your application access.");
      } else {
        back.searchParams.set("code", fake.grantCode(fake.approveAs));
      }
      return new Response(null, { status: 302, headers: { location: back.href } });
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      if (body?.client_id !== clientId || body?.client_secret !== clientSecret) {
        return json({
          error: "incorrect_client_credentials",
          error_description: "The client_id and/or secret are wrong.",
        });
      }
      const user = codes.get(String(body?.code));
      if (!user) {
        return json({
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
        });
      }
      codes.delete(String(body?.code));
      const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.set(token, user);
      return json({ access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    const user = tokens.get((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
    if (url.pathname === "/api/v3/user" || url.pathname === "/api/v3/user/emails") {
      if (!user) return json({ message: "Bad credentials" }, 401);
      if (url.pathname === "/api/v3/user") {
        return json({ id: user.id, login: user.login, node_id: "MDQ6VXNlcjE=", name: null, email: null });
      }
      return fake.hideEmails ? json({ message: "Not Found" }, 404) : json(user.emails);
    }
    return json({ message: "Not Found" }, 404);
  });
  fake.oauthBaseUrl = `http://127.0.0.1:${server.addr.port}`;
  fake.apiBaseUrl = `${fake.oauthBaseUrl}/api/v3`;
  return fake;
}
