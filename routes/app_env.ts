/** The Hono environment every router shares: request-scoped variables set by middleware. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Principal } from "../domain/auth/sessions.ts";
import { validationHook } from "./errors.ts";

/** Variables middleware puts on the context. */
export interface AppEnv {
  Variables: {
    correlationId: string;
    clientIp: string;
    principal: Principal;
  };
}

/** A router with the shared environment and the 422 hook; every area builds its routes on one of these. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
