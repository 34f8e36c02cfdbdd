/** Request and response schemas of the identity routes. */
import { z } from "@hono/zod-openapi";
import { safeText } from "./common.ts";

const email = z.email().max(254).openapi({ example: "researcher@example.com" });

export const UserSchema = z.object({
  id: z.string().openapi({ example: "usr_01jd0m6qvh3x8k2c9n4p5r7t" }),
  email: z.string().openapi({ example: "researcher@example.com" }),
  nickname: z.string().nullable().openapi({ example: "alpha_hunter" }),
  tier: z.enum(["free", "licensed"]),
  is_admin: z.boolean(),
  is_anonymous: z.boolean(),
  email_verified: z.boolean(),
  has_password: z.boolean(),
  profile_complete: z.boolean(),
  github_login: z.string().nullable(),
  disabled: z.boolean(),
  pending_email: z.string().nullable().openapi({
    example: null,
    description:
      "An email change waiting for the code mailed to the new address; not attached until confirmed",
  }),
  pending_email_expires_at: z.string().nullable().openapi({
    example: null,
    description: "When the pending change's confirmation code stops working",
  }),
  created_at: z.string().openapi({ example: "2026-11-21T08:00:00.000Z" }),
  last_login_at: z.string().nullable(),
}).openapi("User");

export const TokenPairSchema = z.object({
  access_token: z.string().openapi({ example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…" }),
  refresh_token: z.string().openapi({ example: "qrt_8sd7f6…" }),
  token_type: z.literal("bearer"),
  expires_in: z.number().int().openapi({ example: 86400, description: "Access-token lifetime in seconds" }),
  user: UserSchema,
}).openapi("TokenPair");

export const RequestOtpBody = z.strictObject({ email }).openapi("RequestOtp");

export const VerifyOtpBody = z.strictObject({
  email,
  otp_code: z.string().regex(/^\d{6}$/, "otp_code must be 6 digits").openapi({ example: "042917" }),
}).openapi("VerifyOtp");

export const InviteBody = z.strictObject({
  invite_code: safeText({ min: 1, max: 64 }).openapi({ example: "QE-ALPHA-2026" }),
}).openapi("RedeemInvite");

export const LoginBody = z.strictObject({
  email: safeText({ min: 3, max: 254 }).openapi({ example: "researcher@example.com" }),
  password: safeText({ min: 1, max: 256, trim: false }).openapi({ example: "correct horse battery staple" }),
}).openapi("Login");

export const RefreshBody = z.strictObject({
  refresh_token: safeText({ min: 1, max: 512, trim: false }),
}).openapi("Refresh");

export const LogoutBody = z.strictObject({
  refresh_token: safeText({ min: 1, max: 512, trim: false }).optional(),
}).openapi("Logout");

export const ProfileBody = z.strictObject({
  nickname: safeText({ min: 1, max: 60, trim: false }).optional().openapi({ example: "alpha_hunter" }),
  email: email.optional().openapi({
    description: "A new email: stored as pending_email and a 6-digit code is mailed to it; " +
      "POST /auth/profile/email/confirm attaches it",
  }),
  password: safeText({ max: 128, trim: false }).min(8, "Password must be at least 8 characters").optional(),
}).refine((b) => Object.keys(b).length > 0, { message: "Send at least one of nickname, email, password" })
  .openapi("ProfileUpdate");

export const ConfirmEmailBody = z.strictObject({
  code: z.string().regex(/^\d{6}$/, "code must be 6 digits").openapi({
    example: "042917",
    description: "The code mailed to the pending email",
  }),
}).openapi("ConfirmEmailChange");
