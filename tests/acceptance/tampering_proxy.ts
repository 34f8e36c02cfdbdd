/**
 * A loopback HTTP proxy in front of a served world that can alter the JSON answers passing through it (one
 * `Tamper` at a time), answer 502 to everything, or be closed: what a dishonest or compromised server, or a
 * broken network, looks like to a verifier.
 */

/** JSON as it comes off the wire. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/**
 * Alters one answer: called with the request URL (path and query as the verifier sent them) and a deep copy of
 * the upstream JSON body; returns `true` when it changed the body in place (the proxy counts the answers altered).
 */
export type Tamper = (url: URL, body: Json) => boolean | Promise<boolean>;

/** A running proxy. */
export interface TamperingProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The tamper applied from now on (`null`: pass everything through untouched). */
  set(tamper: Tamper | null): void;
  /** `"forward"` (default) or `"502"` (every request answered 502 Bad Gateway). */
  mode(m: "forward" | "502"): void;
  /** Answers altered since the last `set`. */
  altered(): number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 port 0 forwarding GET requests to `upstream` (`http://127.0.0.1:<port>`). */
export function startTamperingProxy(upstream: string): TamperingProxy {
  let tamper: Tamper | null = null;
  let current: "forward" | "502" = "forward";
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (current === "502") return new Response("bad gateway", { status: 502 });
    const url = new URL(req.url);
    // Only the content type is passed on: fetch has already undone any content encoding.
    const res = await fetch(upstream + url.pathname + url.search, { method: req.method });
    const type = res.headers.get("content-type") ?? "text/plain";
    if (!tamper || !type.includes("application/json")) {
      return new Response(res.body, { status: res.status, headers: { "content-type": type } });
    }
    const body = await res.json();
    if (await tamper(url, body)) count++;
    return Response.json(body, { status: res.status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    set(t) {
      tamper = t;
      count = 0;
    },
    mode(m) {
      current = m;
    },
    altered: () => count,
    close: () => server.shutdown(),
  };
}

/**
 * RFC 8785 canonical JSON, written here independently of the server's and the verifier's: keys sorted by UTF-16
 * code units, no whitespace, numbers and strings as `JSON.stringify` writes them.
 */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error("non-finite number");
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
