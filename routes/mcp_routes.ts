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
import type { McpDeps } from "../mcp/mcp_deps.ts";
import { buildMcpServer } from "../mcp/server.ts";
import type { AppEnv } from "./app_env.ts";
import { bearerCredential } from "./middleware/auth.ts";

/** The MCP endpoint's path. */
const MCP_PATH = "/mcp";

/** Builds the `/mcp` router. */
export function mcpRoutes(deps: McpDeps) {
  const app = new Hono<AppEnv>();
  app.post(MCP_PATH, async (c) => {
    const credential = bearerCredential(c.req.header("authorization"));
    // A disabled account gets through to the tools whose HTTP routes it keeps (`allowDisabled`); `invokeTool`
    // refuses every other tool with 403 "Account disabled".
    const principal = credential ? await authenticate(deps.auth, credential, { allowDisabled: true }) : null;
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
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
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
