/**
 * `/mcp`: the MCP server over Streamable HTTP (stateless: the SDK's server and transport are built for each
 * request, since a stateless transport serves one request). The bearer credential is the HTTP API's (an API key
 * or an access token): a wrong one is refused with 401 before any MCP message is read; without one the caller
 * is anonymous and only the public tools run. Answers are JSON (no SSE stream): there is no session to resume,
 * so GET and DELETE answer 405.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { authenticate } from "../domain/auth/sessions.ts";
import { UnauthorizedError } from "../domain/errors.ts";
import type { McpDeps } from "../mcp/mcp_deps.ts";
import { buildMcpServer } from "../mcp/server.ts";
import { credentialRecovery } from "../mcp/tool_errors.ts";
import type { AppEnv } from "./app_env.ts";
import { bearerCredential } from "./middleware/auth.ts";

/** The MCP endpoint's path. */
export const MCP_PATH = "/mcp";

/** JSON-RPC's "parse error" answer (the transport's own, for a body that is not JSON). */
const PARSE_ERROR = {
  jsonrpc: "2.0",
  error: { code: -32700, message: "Parse error: Invalid JSON" },
  id: null,
};

/**
 * The answer to the requests of `body` that did not finish within `ms`: one JSON-RPC error per request
 * (notifications get none), saying the call may still complete so a call that is not idempotent must be
 * confirmed, not repeated (the QuantGPT document's "Network timeout recovery").
 */
function deadlineAnswer(body: unknown, ms: number): unknown[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages
    .filter((m): m is { id: string | number } =>
      m !== null && typeof m === "object" && "method" in m && "id" in m &&
      (typeof m.id === "string" || typeof m.id === "number")
    )
    .map((m) => ({
      jsonrpc: "2.0",
      id: m.id,
      error: {
        code: -32001,
        message:
          `The call did not finish within ${ms} ms and may still complete. Do not repeat a call that ` +
          "is not idempotent (create_*, submit_*, register_with_invite, …): read the matching list or get " +
          "tool first to see whether it took effect.",
      },
    }));
}

/**
 * Builds the `/mcp` router; `timeoutMs` is the request deadline (`REQUEST_TIMEOUT_MS`), answered here in
 * JSON-RPC rather than by the generic deadline middleware.
 */
export function mcpRoutes(deps: McpDeps, timeoutMs: number) {
  const app = new Hono<AppEnv>();
  app.post(MCP_PATH, async (c) => {
    const header = c.req.header("authorization");
    const credential = bearerCredential(header);
    // A refused credential is the HTTP API's 401 plus the document's recovery for it (check or renew the key,
    // refresh the token), since the client never reaches a tool that could say it.
    const refuse = (detail: string) =>
      c.json({ detail, recovery: credentialRecovery(credential) }, 401, { "WWW-Authenticate": "Bearer" });
    if (header !== undefined && header.trim() !== "" && credential === null) {
      return refuse("Malformed Authorization header: send `Authorization: Bearer <API key>`");
    }
    // A disabled account gets through to the tools whose HTTP routes it keeps (`allowDisabled`); `invokeTool`
    // refuses every other tool with 403 "Account disabled".
    let principal = null;
    if (credential) {
      try {
        principal = await authenticate(deps.auth, credential, { allowDisabled: true });
      } catch (e) {
        if (e instanceof UnauthorizedError) return refuse(e.message);
        throw e;
      }
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json(PARSE_ERROR, 400);
    }
    const server = buildMcpServer(deps, {
      principal,
      clientIp: c.get("clientIp"),
      correlationId: c.get("correlationId"),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    // The server is closed when the request is done, even one answered by the deadline below.
    const work = transport.handleRequest(c.req.raw, { parsedBody: body }).finally(() => server.close());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const answered = await Promise.race([work, expired]);
      if (answered) return answered;
    } finally {
      clearTimeout(timer);
    }
    work.catch(() => {});
    const errors = deadlineAnswer(body, timeoutMs);
    if (errors.length === 0) return c.body(null, 202);
    return c.json(Array.isArray(body) ? errors : errors[0], 200);
  });
  app.on(["GET", "DELETE"], MCP_PATH, (c) => {
    c.header("Allow", "POST");
    return c.json({
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless, send POST" },
      id: null,
    }, 405);
  });
  return app;
}
