// The public API from a page: every call carries the session's access token as a bearer token (asked from
// `POST /app/session/token`, kept in memory only). A 401 asks for a fresh token once (the server rotates an
// expired session with its refresh cookie) and retries; a second 401 sends the visitor to the sign-in page.

let token = null;

/** An error answer of the API: `status`, the house error body's `detail`, and the whole body. */
export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

function messageOf(status, body) {
  const detail = body && typeof body === "object" ? body.detail ?? body.error ?? body.message : null;
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc ?? []).join(".")}: ${d.msg}`).join("; ");
  }
  if (typeof detail === "string") return detail;
  if (detail && typeof detail === "object" && typeof detail.message === "string") return detail.message;
  return `Request failed (${status})`;
}

async function fetchToken() {
  const res = await fetch("/app/session/token", { method: "POST", credentials: "same-origin" });
  if (res.status === 401) return null;
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  return (await res.json()).access_token;
}

/** The access token of the signed-in visitor (`null`: signed out). */
export async function accessToken(fresh = false) {
  if (fresh || token === null) token = await fetchToken();
  return token;
}

function toSignIn() {
  location.assign(`/app/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/**
 * Calls the API: `api("/api/v1/library", { method: "POST", json: {...} })`. Answers the parsed JSON (or the
 * text for non-JSON answers, `null` for 204); throws `ApiError` for an error status. `auth: false` sends no token
 * (public reads).
 */
export async function api(path, opts = {}) {
  const { json, auth = true, ...init } = opts;
  const send = async (fresh) => {
    const headers = new Headers(init.headers ?? {});
    if (json !== undefined) headers.set("Content-Type", "application/json");
    if (auth) {
      const t = await accessToken(fresh);
      if (t) headers.set("Authorization", `Bearer ${t}`);
    }
    return await fetch(path, {
      ...init,
      headers,
      body: json !== undefined ? JSON.stringify(json) : init.body,
      credentials: "same-origin",
    });
  };
  let res = await send(false);
  if (res.status === 401 && auth) {
    res = await send(true);
    if (res.status === 401) {
      toSignIn();
      throw new ApiError(401, await res.json().catch(() => null));
    }
  }
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** A WebSocket URL on this origin for `path` (`ws:` or `wss:` as the page). */
export function socketUrl(path) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}
