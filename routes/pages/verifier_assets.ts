/** The independent verifier (`verifier/`) served to browsers as JavaScript modules, for "Verify in your browser". */
import { Hono } from "hono";
import type { AppEnv } from "../app_env.ts";

/** The router of `/app/assets/verifier/*`. */
export function verifierAssetRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
