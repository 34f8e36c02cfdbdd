/**
 * Builds the MCP server for one caller: every tool of `tool_catalog.ts`, the reference resources and the
 * prompts. Over HTTP a new server (and transport) is built per request — the SDK's stateless mode, where a
 * server serves one request; over stdio one server lives as long as the process.
 *
 * Tools are served by this module's own `tools/list` and `tools/call` handlers rather than the SDK's
 * `registerTool`, so that arguments are checked by `invokeTool` (after the caller's rate and access) and a
 * refusal comes back as the HTTP API's 422 `detail` — `{type, loc, msg}` per field — inside the error result.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { McpDeps } from "./mcp_deps.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { ALL_TOOLS } from "./tool_catalog.ts";
import {
  chargeMcpCall,
  invokeTool,
  type McpCaller,
  toolContext,
  type ToolDef,
  toolErrorForUnknown,
} from "./tool_kit.ts";

/**
 * `tools/call` as the protocol layer parses it before any handler: the SDK's own schema there turns arguments
 * that are not an object into JSON-RPC -32603 "internal error"; with this looser one the SDK's tools/call check
 * answers them -32602 "invalid params", the protocol's error for a malformed request. Everything inside an
 * object of arguments is the tool's own schema's (a 422 result naming the field).
 */
const CallToolRequest = z.object({
  method: z.literal("tools/call"),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

/** What the server tells a client when it connects (shown to the model by most clients). */
const INSTRUCTIONS =
  "Quantedge: build and backtest strategies, publish daily signals as verified track records, validate " +
  "alpha factors, run strategies forward. Most tools need an API key (Authorization: Bearer qe_…); the " +
  "calendar, public records, verification and transparency-log tools do not. Times: signal deadlines and " +
  "'today' are Asia/Shanghai (UTC+8). Errors come back as results with isError, a status, and a `recovery` " +
  "line saying what to do next. Tools marked not idempotent (create_strategy, submit_signal, …) must not be " +
  "retried blindly after a timeout: read the matching list tool first.";

const BY_NAME = new Map<string, ToolDef>();
for (const tool of ALL_TOOLS) {
  if (BY_NAME.has(tool.name)) throw new Error(`two MCP tools are named ${tool.name}`);
  BY_NAME.set(tool.name, tool);
}

/** The `tools/list` entry of each tool, built once (the JSON Schema of the arguments as they are sent). */
const LISTING: Tool[] = ALL_TOOLS.map((tool) => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Tool["inputSchema"],
  annotations: {
    title: tool.title,
    readOnlyHint: tool.hints.readOnly,
    destructiveHint: tool.hints.destructive,
    idempotentHint: tool.hints.idempotent,
    openWorldHint: tool.hints.openWorld ?? false,
  },
}));

/** A server for `caller` with every tool, resource and prompt registered. */
export function buildMcpServer(deps: McpDeps, caller: McpCaller): McpServer {
  const server = new McpServer(
    { name: "quantedge", version: deps.config.version },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  const ctx = toolContext(deps, caller);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: LISTING }));
  server.server.setRequestHandler(CallToolRequest, (request: z.output<typeof CallToolRequest>) => {
    const tool = BY_NAME.get(request.params.name);
    if (!tool) return toolErrorForUnknown(request.params.name, caller.correlationId);
    return invokeTool(tool, ctx, request.params.arguments);
  });
  const charge = () => chargeMcpCall(deps, caller);
  registerResources(server, deps, charge);
  registerPrompts(server, charge);
  // The SDK announces list changes once resources and prompts are registered; these lists never change.
  server.server.registerCapabilities({
    tools: { listChanged: false },
    resources: { listChanged: false },
    prompts: { listChanged: false },
  });
  return server;
}
