/**
 * Turns a thrown non-`Error` value (a string, an object) into an `Error`: Hono hands only `Error` instances to
 * `onError`, so anything else would escape the app as a bare 500 without the documented body or correlation id.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app_env.ts";

/** An exception that was thrown as a plain value. */
class NonErrorThrown extends Error {
  constructor(readonly value: unknown) {
    super(`Non-Error value thrown: ${describe(value)}`);
    this.name = "NonErrorThrown";
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Rethrows whatever the rest of the chain throws as an `Error`, so `app.onError` answers it. */
export function errorBoundary(): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    try {
      await next();
    } catch (err) {
      throw err instanceof Error ? err : new NonErrorThrown(err);
    }
  };
}
