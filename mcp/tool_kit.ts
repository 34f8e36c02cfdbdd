/**
 * The shape of one MCP tool and the one place a tool call runs: the caller's rate is charged, the tool's access
 * is checked, the operation runs, the call is logged (name, user, outcome, time — never the arguments, which
 * may hold secrets) and the answer or the error becomes a tool result. Tool files (`tools/*_tools.ts`) only
 * declare `ToolDef`s: an input schema, annotations and a `run` that turns the arguments into one call of one
 * domain operation.
 */
import type { z } from "zod";
import { chargeRate } from "../domain/auth/rate_limiter.ts";
import type { Principal } from "../domain/auth/sessions.ts";
import { monotonicMs } from "../domain/clock.ts";
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../domain/errors.ts";
import type { UserRecord } from "../domain/store/user_repo.ts";
import type { Actor } from "../domain/track_record/operations.ts";
import type { McpDeps } from "./mcp_deps.ts";
import { toolErrorResult } from "./tool_errors.ts";
import { zodToIssues } from "../routes/errors.ts";

/** Who is calling: the principal of the bearer credential (`null` without one) and where from. */
export interface McpCaller {
  principal: Principal | null;
  /** The client address (HTTP) or `"stdio"`. */
  clientIp: string;
  /** The request's correlation id (HTTP) or one per stdio process; sent back in error results. */
  correlationId: string;
  /**
   * Re-resolves the credential before each call (stdio, where one server outlives many calls: a key revoked
   * or an account disabled meanwhile stops working at once); a refusal fails the call with 401 or 403.
   */
  refresh?: () => Promise<Principal | null>;
}

/** What a tool's `run` receives besides its arguments. */
export interface ToolContext {
  deps: McpDeps;
  caller: McpCaller;
  /** The signed-in user; a tool with `access: "user"` only runs with one, so this never throws there. */
  user(): UserRecord;
  /** The signed-in user as the track record's `Actor` (id and tier). */
  actor(): Actor;
}

/**
 * MCP tool annotations, all four always sent (the protocol's defaults are the cautious ones: a tool without
 * hints is taken as destructive and not idempotent). `destructive`: the call may delete or overwrite data the
 * caller cannot get back; `idempotent`: repeating the call with the same arguments has no further effect
 * (the QuantGPT document's "Idempotency & Retry Safety" table); `openWorld`: it reaches outside Quantedge.
 */
export interface ToolHints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld?: boolean;
}

/** The annotations of a tool that only reads. */
export const READ_ONLY: ToolHints = { readOnly: true, destructive: false, idempotent: true };

/** One tool: its name, what it is for (written for an agent), its input schema, hints and operation. */
export interface ToolDef<S extends z.ZodObject = z.ZodObject> {
  /** snake_case, unique across the server. */
  name: string;
  title: string;
  /** What the tool does, when to call it, and what it answers; conventions (units, time zones) included. */
  description: string;
  /** A strict object (unknown fields are refused); every field has a `.describe()` an agent can act on. */
  input: S;
  /** `public`: callable without a credential; `user`: needs an API key (or access token). */
  access: "public" | "user";
  /** A disabled account may call it (as its HTTP route allows: contacting support); every other tool is 403. */
  allowDisabled?: boolean;
  hints: ToolHints;
  run(ctx: ToolContext, args: z.output<S>): Promise<object>;
}

/** Declares a tool (keeps the argument type of `run` tied to its schema). */
export function defineTool<S extends z.ZodObject>(def: ToolDef<S>): ToolDef {
  return def as unknown as ToolDef;
}

/** The result of a tool call as MCP sends it. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** An answer as a tool result: the JSON text (for every client) and the same object as structured content. */
function okResult(view: object): ToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(view) }],
    structuredContent: view as Record<string, unknown>,
  };
}

/** The context of one call for `caller`. */
export function toolContext(deps: McpDeps, caller: McpCaller): ToolContext {
  const user = () => {
    if (!caller.principal) throw new UnauthorizedError("Not authenticated");
    return caller.principal.user;
  };
  return { deps, caller, user, actor: () => ({ id: user().id, tier: user().tier }) };
}

/**
 * Checks `args` against `tool.input`; a refusal is a `ValidationError` whose issues locate each bad field in
 * the arguments (`["signals", 0, "weight"]`; an unknown field is `extra_forbidden` at its own name), the shape
 * of the HTTP API's 422 `detail`.
 */
function parseArguments(tool: ToolDef, args: unknown): unknown {
  const parsed = tool.input.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  // A field left out is `missing` whatever its schema (zod names an absent enum or literal `invalid_value`).
  const issues = zodToIssues(parsed.error, null).map((issue) =>
    issue.type !== "extra_forbidden" && isAbsent(args ?? {}, issue.loc)
      ? { ...issue, type: "missing", msg: "Field required" }
      : issue
  );
  throw new ValidationError(`Invalid arguments for ${tool.name}`, [], "value_error", issues);
}

/** Whether `loc` names a key its (object) parent in `args` does not have. */
function isAbsent(args: unknown, loc: readonly (string | number)[]): boolean {
  if (loc.length === 0) return false;
  let parent = args;
  for (const key of loc.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return false;
    parent = (parent as Record<string | number, unknown>)[key];
  }
  return parent !== null && typeof parent === "object" && !Array.isArray(parent) &&
    !Object.hasOwn(parent, loc[loc.length - 1]);
}

/**
 * Charges one MCP request of `caller` (a tool call, a resource read, a prompt): `RATE_LIMIT_MCP` per user, or
 * `RATE_LIMIT_MCP_ANON_PER_IP` per client address without a credential.
 */
export async function chargeMcpCall(deps: McpDeps, caller: McpCaller): Promise<void> {
  const userId = caller.principal?.user.id;
  if (userId) {
    await chargeRate({ limiter: deps.auth.limiter, rule: deps.config.mcpRate.user }, "mcp_user", userId);
  } else {
    await chargeRate(
      { limiter: deps.auth.limiter, rule: deps.config.mcpRate.anonymousPerIp },
      "mcp_ip",
      caller.clientIp,
    );
  }
}

/**
 * Runs one call of `tool` for `shared` with the raw `args` the client sent. A caller with `refresh` (stdio) has
 * its credential resolved again for this call alone: the shared caller is never changed, so calls that
 * overlap each see their own principal.
 */
export async function invokeTool(tool: ToolDef, shared: ToolContext, args: unknown): Promise<ToolResult> {
  const started = monotonicMs();
  let ctx = shared;
  let userId = ctx.caller.principal?.user.id ?? null;
  try {
    if (shared.caller.refresh) {
      const principal = await shared.caller.refresh();
      ctx = toolContext(shared.deps, { ...shared.caller, principal, refresh: undefined });
      userId = principal?.user.id ?? null;
    }
    const { caller } = ctx;
    // A disabled account is refused as a whole (public tools included: connect without the key for those),
    // except the tools its HTTP routes keep open to it (contacting support).
    if (caller.principal?.user.disabled && !tool.allowDisabled) throw new ForbiddenError("Account disabled");
    await chargeMcpCall(ctx.deps, caller);
    if (tool.access === "user" && !caller.principal) {
      throw new UnauthorizedError(`${tool.name} needs an API key`);
    }
    const view = await tool.run(ctx, parseArguments(tool, args) as never);
    ctx.deps.log("info", "mcp tool call", {
      tool: tool.name,
      user_id: userId,
      ok: true,
      ms: Math.round(monotonicMs() - started),
      correlation_id: ctx.caller.correlationId,
    });
    return okResult(view);
  } catch (e) {
    const result = toolErrorResult(tool.name, e, ctx.caller.correlationId);
    const unexpected = result.structuredContent?.error &&
      (result.structuredContent.error as { status: number }).status >= 500;
    ctx.deps.log(unexpected ? "error" : "info", "mcp tool call", {
      tool: tool.name,
      user_id: userId,
      ok: false,
      status: (result.structuredContent?.error as { status: number } | undefined)?.status,
      ms: Math.round(monotonicMs() - started),
      correlation_id: ctx.caller.correlationId,
      ...(unexpected && e instanceof Error ? { error: `${e.name}: ${e.message}`, stack: e.stack } : {}),
    });
    return result;
  }
}

/** The result of a call naming no tool of this server. */
export function toolErrorForUnknown(name: string, correlationId: string): ToolResult {
  return toolErrorResult(
    name,
    new NotFoundError(`No tool named ${JSON.stringify(name.slice(0, 100))}: call tools/list for the names`),
    correlationId,
  );
}
