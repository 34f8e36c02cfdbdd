/** `/api/v1/auth/*`: email OTP, invite sign-up, password login, token refresh/logout, current user, profile. */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  changeProfile,
  confirmEmail,
  login,
  redeemInvite,
  refreshTokens,
  requestOtp,
  signOut,
  userView,
  verifyOtp,
} from "../domain/auth/identity.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { bearerCredential, requireAuth } from "./middleware/auth.ts";
import {
  ConfirmEmailBody,
  InviteBody,
  LoginBody,
  LogoutBody,
  ProfileBody,
  RefreshBody,
  RequestOtpBody,
  TokenPairSchema,
  UserSchema,
  VerifyOtpBody,
} from "./schemas/auth.ts";
import {
  bearerSecurity,
  errorResponses,
  ErrorSchema,
  jsonBody,
  jsonResponse,
  MessageSchema,
} from "./schemas/common.ts";

const tags = ["auth"];

/** Builds the auth router. */
export function authRoutes(deps: AuthDeps) {
  const app = newRouter();
  const auth = requireAuth(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/request-otp",
      tags,
      summary: "Email a 6-digit sign-in code (valid 10 minutes)",
      request: { body: jsonBody(RequestOtpBody) },
      responses: {
        200: jsonResponse(MessageSchema, "Code sent", { message: "OTP sent to your email." }),
        ...errorResponses(422, 429),
        503: jsonResponse(ErrorSchema, "The mail server could not be reached; try again later"),
      },
    }),
    async (c) => {
      const email = c.req.valid("json").email;
      return c.json(await fromInput("body", () => requestOtp(deps, email, c.get("clientIp"))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/verify-otp",
      tags,
      summary: "Exchange an emailed code for tokens; creates the account on first success",
      request: { body: jsonBody(VerifyOtpBody) },
      responses: { 200: jsonResponse(TokenPairSchema, "Signed in"), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const pair = await fromInput(
        "body",
        () => verifyOtp(deps, body.email, body.otp_code, c.get("clientIp")),
      );
      return c.json(pair, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/invite",
      tags,
      summary: "Redeem an invite code for a new anonymous account",
      description:
        "Each call creates a new account. An unknown, disabled, expired or used-up code answers 400 " +
        "(one answer for all four).",
      request: { body: jsonBody(InviteBody) },
      responses: {
        200: jsonResponse(TokenPairSchema, "Account created"),
        ...errorResponses(400, 409, 422, 429),
      },
    }),
    async (c) => {
      const code = c.req.valid("json").invite_code;
      return c.json(await fromInput("body", () => redeemInvite(deps, code, c.get("clientIp"))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/login",
      tags,
      summary: "Sign in with email and password",
      request: { body: jsonBody(LoginBody) },
      responses: { 200: jsonResponse(TokenPairSchema, "Signed in"), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await login(deps, body.email, body.password, c.get("clientIp")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/refresh",
      tags,
      summary: "Rotate a refresh token: returns a new pair; the old refresh token stops working",
      request: { body: jsonBody(RefreshBody) },
      responses: { 200: jsonResponse(TokenPairSchema, "New tokens"), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => c.json(await refreshTokens(deps, c.req.valid("json").refresh_token, c.get("clientIp")), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/logout",
      tags,
      summary: "Revoke the session of a refresh token (or of the bearer access token)",
      request: { body: jsonBody(LogoutBody) },
      responses: { 200: jsonResponse(MessageSchema, "Signed out"), ...errorResponses(422) },
    }),
    async (c) => {
      const credential = bearerCredential(c.req.header("authorization"));
      await signOut(deps, { refreshToken: c.req.valid("json").refresh_token, credential });
      return c.json({ message: "Logged out" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/auth/me",
      tags,
      summary: "The current user",
      security: bearerSecurity,
      middleware: [auth],
      responses: { 200: jsonResponse(UserSchema, "Current user"), ...errorResponses(401, 403) },
    }),
    (c) => c.json(userView(deps, c.get("principal").user), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/auth/profile",
      tags,
      summary: "Change nickname and/or password; start an email change (confirmed by a code sent to it)",
      description: "A new email is not attached: it is shown as pending_email and a 6-digit code (valid 10 " +
        "minutes, 5 tries) is mailed to it; POST /auth/profile/email/confirm attaches it. The answer is the " +
        "same whether or not the address belongs to an account. Email changes are rate-limited per user " +
        "(RATE_LIMIT_EMAIL_CHANGE), per IP (RATE_LIMIT_EMAIL_CHANGE_PER_IP) and per address. A new password signs out every other session " +
        "(the one making the change stays; API keys are kept). 409 is for a taken nickname (ignoring case). " +
        "Nickname: 2-30 letters, digits, CJK characters, '_' or '-'. The reserved anonymous domains " +
        "(@quantedge.local, @quantgpt.local) are refused with 422 on `email`.",
      security: bearerSecurity,
      middleware: [auth],
      request: { body: jsonBody(ProfileBody) },
      responses: {
        200: jsonResponse(UserSchema, "Updated user"),
        ...errorResponses(401, 403, 409, 422, 429),
        503: jsonResponse(ErrorSchema, "The confirmation code could not be mailed; try again later"),
      },
    }),
    async (c) => {
      const { user, sessionId } = c.get("principal");
      const change = c.req.valid("json");
      const view = await fromInput(
        "body",
        () => changeProfile(deps, { userId: user.id, sessionId }, change, c.get("clientIp")),
      );
      return c.json(view, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/profile/email/confirm",
      tags,
      summary: "Attach the pending email with the code mailed to it",
      description: "422 on `code` for a wrong, expired (10 minutes) or void (5 wrong tries) code; 409 when " +
        "another account took the address in the meantime (the pending change ends).",
      security: bearerSecurity,
      middleware: [auth],
      request: { body: jsonBody(ConfirmEmailBody) },
      responses: { 200: jsonResponse(UserSchema, "Email changed"), ...errorResponses(401, 403, 409, 422) },
    }),
    async (c) => {
      const code = c.req.valid("json").code;
      return c.json(await fromInput("body", () => confirmEmail(deps, c.get("principal").user.id, code)), 200);
    },
  );

  return app;
}
