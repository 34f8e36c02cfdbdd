/** The Hono environment every router shares: request-scoped variables set by middleware. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Principal } from "../domain/auth/sessions.ts";
import type { UserView } from "../domain/auth/user_view.ts";
import { validationHook } from "./errors.ts";

/** Variables middleware puts on the context. */
export interface AppEnv {
  Variables: {
    correlationId: string;
    clientIp: string;
    principal: Principal;
    /** The dashboard pages' signed-in user (`null`: signed out), set by `pageSession`. */
    pageUser: PageUser | null;
  };
}

/** A router with the shared environment and the 422 hook; every area builds its routes on one of these. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** A signed-in user of the dashboard pages: the principal, the user as the API shows it, and the access token. */
export interface PageUser {
  principal: Principal;
  view: UserView;
  /** The session's current access token (handed to the page's scripts by `POST /app/session/token`). */
  accessToken: string;
}
