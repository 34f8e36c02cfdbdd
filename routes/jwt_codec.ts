/** The access-token codec on `hono/jwt` (HS256). */
import { sign, verify } from "hono/jwt";
import type { AccessClaims, AccessTokenCodec } from "../domain/auth/token_codec.ts";

/** Creates an HS256 codec with `secret`. */
export function createJwtCodec(secret: string): AccessTokenCodec {
  // Imported once: importing the HMAC key on every verification was half its cost.
  let verifyKey: Promise<CryptoKey> | undefined;
  const key = () =>
    verifyKey ??= crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
  return {
    sign: (claims) => sign({ ...claims }, secret, "HS256"),
    async verify(token, nowSeconds) {
      try {
        // Time claims are checked against the injected clock below, not the wall clock.
        const payload = await verify(token, await key(), {
          alg: "HS256",
          exp: false,
          iat: false,
          nbf: false,
        });
        if (
          payload.typ !== "access" || typeof payload.sub !== "string" || typeof payload.sid !== "string" ||
          typeof payload.exp !== "number" || payload.exp <= nowSeconds ||
          (typeof payload.iat === "number" && payload.iat > nowSeconds + 60)
        ) return null;
        return payload as unknown as AccessClaims;
      } catch {
        return null;
      }
    },
  };
}
