/** Schemas and helpers shared by every router: error bodies, paging, JSON bodies and responses. */
import { z } from "@hono/zod-openapi";
import { refuseUnsafeText } from "../../domain/safe_text.ts";

/** `{"detail": "..."}` for 400/401/403/404/409/413/415/429. */
export const ErrorSchema = z.object({ detail: z.string() }).openapi("Error", {
  example: { detail: "Not authenticated" },
});

/** The payload of `assertWithinExpressionBudget`'s 422 (`type: "expression_cost"`). */
const ExpressionCostContext = z.object({
  cost: z.number(),
  symbols: z.number().int(),
  bars_per_symbol: z.number().int(),
  nodes: z.number().int(),
  costliest: z.array(z.object({ expression: z.string(), cost: z.number() })),
  budget: z.number(),
  budget_setting: z.string(),
}).openapi("ExpressionCostContext");

/** `{"detail": [{type, loc, msg}]}` for every schema failure (422). */
const ValidationErrorSchema = z.object({
  detail: z.array(z.object({
    type: z.string(),
    loc: z.array(z.union([z.string(), z.number()])),
    msg: z.string(),
    ctx: ExpressionCostContext.optional().openapi({
      description: "Context of the problem: the estimate and the budget it broke, for `expression_cost`",
    }),
  })),
}).openapi("ValidationError", {
  example: { detail: [{ type: "missing", loc: ["body", "email"], msg: "Field required" }] },
});

/**
 * A user-supplied text field: trimmed (unless `trim: false`), `min`–`max` characters, and refused with a 422
 * naming the field when it holds a control character (tab, line feed and carriage return allowed only when
 * `multiline`), a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069) or an unpaired surrogate.
 * Every text field of every request schema is built with this.
 */
export function safeText(opts: { max: number; min?: number; multiline?: boolean; trim?: boolean }) {
  let s = z.string();
  if (opts.trim !== false) s = s.trim();
  if (opts.min !== undefined) s = s.min(opts.min);
  return s.max(opts.max).superRefine(refuseUnsafeText(opts.multiline ?? false));
}

/** `{"message": "..."}` acknowledgements. */
export const MessageSchema = z.object({ message: z.string() }).openapi("Message");

/** `?limit=&offset=` with the API's bounds (limit 1–200, default 50). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  // Spelled out: the generator marks a coerced number with `min(0)` nullable (coercion turns null into 0).
  offset: z.coerce.number().int().min(0).default(0).openapi({
    type: "integer",
    minimum: 0,
    default: 0,
    example: 0,
  }),
});

/** A page of `item`: `{items, total, limit, offset}`. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }).openapi(name);
}

/** A required JSON request body validated by `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

/**
 * A JSON request body whose every field is optional, so the body itself may be left out: a request with no body
 * and no content type reads as `{}` (`requireJsonContentType` lets it through); a body that is sent must be JSON.
 */
export function optionalJsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: false, description, content: { "application/json": { schema } } } as const;
}

/**
 * A JSON response entry for `createRoute`; `example` is attached to this response only (an example set with
 * `.openapi()` on a shared named schema would land on the shared component and show up on every route using it).
 */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string, example?: unknown) {
  const media = example === undefined ? { schema } : { schema, example };
  return { description, content: { "application/json": media } } as const;
}

const errorEntry = (description: string) => jsonResponse(ErrorSchema, description);

/** The error responses a route can give, by status, for OpenAPI. */
export const errors = {
  400: errorEntry("The request breaks a business rule"),
  401: errorEntry("Missing, invalid or expired credentials"),
  403: errorEntry("Not allowed (or the account is disabled)"),
  404: errorEntry("Not found"),
  409: errorEntry("Conflicts with existing data"),
  422: jsonResponse(ValidationErrorSchema, "The body, query or path failed validation"),
  429: errorEntry("Rate limit exceeded; see the Retry-After header"),
} as const;

/** Picks error responses by status: `errorResponses(401, 422)`. */
export function errorResponses<S extends keyof typeof errors>(...statuses: S[]): Pick<typeof errors, S> {
  const out = {} as Pick<typeof errors, S>;
  for (const s of statuses) out[s] = errors[s];
  return out;
}

/** Bearer auth requirement for OpenAPI. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** The path and query of `url` with its last path segment `from` replaced by `to` (for 308s from old paths). */
export function redirectLastSegment(url: string, from: string, to: string): string {
  const u = new URL(url);
  return u.pathname.replace(new RegExp(`/${from.replaceAll(".", "\\.")}$`), `/${to}`) + u.search;
}
