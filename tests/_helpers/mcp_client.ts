/**
 * MCP test harness: a test world's app served on 127.0.0.1 and the SDK's own client connected to `/mcp` over
 * Streamable HTTP, optionally with a bearer credential. `callTool` returns the parsed result: the structured
 * answer, or the structured error of an `isError` result.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { openTestWorld, type TestWorld } from "./test_app.ts";
import { withGuideWorld } from "./quantgpt_client.ts";

/** A served world: its base URL and how to stop serving. */
export interface ServedWorld {
  url: string;
  close(): Promise<void>;
}

/** Serves `w.app` on a free loopback port. */
export function serveWorld(w: TestWorld): ServedWorld {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** The outcome of one tool call as a test reads it. */
export interface ToolOutcome {
  isError: boolean;
  // deno-lint-ignore no-explicit-any -- answers are read as an agent reads them
  body: Record<string, any>;
  text: string;
}

/** An SDK client connected to a served world. */
export interface McpTestClient {
  client: Client;
  callTool(name: string, args?: Record<string, unknown>): Promise<ToolOutcome>;
  close(): Promise<void>;
}

/** Connects the SDK client to `${url}/mcp`, sending `Authorization: Bearer <credential>` when given. */
export async function connectMcp(url: string, credential?: string): Promise<McpTestClient> {
  const client = new Client({ name: "quantedge-test-agent", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", url), {
    requestInit: credential ? { headers: { authorization: `Bearer ${credential}` } } : undefined,
  });
  await client.connect(transport);
  return {
    client,
    async callTool(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const content = result.content as { type: string; text?: string }[];
      const text = content.map((c) => c.text ?? "").join("\n");
      const structured = result.structuredContent as Record<string, unknown> | undefined;
      return {
        isError: result.isError === true,
        body: structured ?? (result.isError ? { error: { detail: text } } : JSON.parse(text)),
        text,
      };
    },
    close: () => client.close(),
  };
}

/**
 * A guide world (invite code "YOUR_CODE", see `withGuideWorld`) served on loopback for the length of `fn`;
 * `env` configures the world (e.g. a rate limit).
 */
export function withMcpWorld(
  fn: (w: TestWorld, served: ServedWorld) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  return withGuideWorld(async (w) => {
    const served = serveWorld(w);
    try {
      await fn(w, served);
    } finally {
      await served.close();
    }
  }, env);
}

/** A plain test world (no invite code) served on loopback for the length of `fn`, then closed. */
export async function withServedWorld(
  fn: (w: TestWorld, served: ServedWorld) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const w = await openTestWorld(env);
  const served = serveWorld(w);
  try {
    await fn(w, served);
  } finally {
    await served.close();
    await w.close();
  }
}

/** The annotations of each listed tool, by name (a name not listed throws). */
export function hintsOf(tools: readonly { name: string; annotations?: ToolAnnotations }[]) {
  return (name: string): ToolAnnotations => {
    const tool = tools.find((t) => t.name === name);
    if (!tool?.annotations) throw new Error(`no annotations listed for ${name}`);
    return tool.annotations;
  };
}

/** The JSON answer of an HTTP route of `w` called with `token`, asserting its status (200 by default). */
export async function routeJson(w: TestWorld, method: string, path: string, token: string, status = 200) {
  const res = await w.request(method, path, { token });
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`${method} ${path}: ${res.status} (expected ${status}): ${text}`);
  }
  return JSON.parse(text);
}
