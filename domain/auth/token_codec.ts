/** Claims carried by an access token. `sid` names the sign-in session, so logout revokes the token too. */
export interface AccessClaims {
  sub: string;
  sid: string;
  typ: "access";
  iat: number;
  exp: number;
}

/** Signs and verifies access tokens; the HTTP layer supplies the JWT implementation. */
export interface AccessTokenCodec {
  /** Signs `claims` (times in seconds since the epoch). */
  sign(claims: AccessClaims): Promise<string>;
  /** Returns the claims of a valid, unexpired token signed by this service, or `null`. */
  verify(token: string, nowSeconds: number): Promise<AccessClaims | null>;
}
