/** Schemas of the admin routes. */
import { z } from "@hono/zod-openapi";
import { safeText } from "./common.ts";

export const InviteCodeSchema = z.object({
  code: z.string().openapi({ example: "QE-ALPHA-2026" }),
  max_uses: z.number().int(),
  uses: z.number().int(),
  remaining_uses: z.number().int(),
  expires_at: z.string().nullable(),
  disabled: z.boolean(),
  active: z.boolean(),
  note: z.string().nullable(),
  created_at: z.string(),
}).openapi("InviteCode");

export const CreateInviteBody = z.strictObject({
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{4,64}$/, "4-64 letters, digits, '_' or '-'").optional()
    .openapi({ example: "QE-ALPHA-2026", description: "Omit for a random 10-character code" }),
  max_uses: z.number().int().min(1).max(1_000_000).default(1).openapi({ example: 10 }),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional().openapi({
    example: "2026-12-31T23:59:59Z",
  }),
  note: safeText({ max: 500, multiline: true, trim: false }).nullable().optional(),
}).openapi("CreateInviteCode");

export const InviteCodeParam = z.object({
  code: z.string().min(1).max(64).openapi({ param: { name: "code", in: "path" }, example: "QE-ALPHA-2026" }),
});

export const UserIdParam = z.object({
  user_id: z.string().min(1).max(64).openapi({
    param: { name: "user_id", in: "path" },
    example: "usr_01jd0m6q",
  }),
});

export const AdminUserUpdateBody = z.strictObject({
  tier: z.enum(["free", "licensed"]).optional(),
  disabled: z.boolean().optional(),
}).refine((b) => b.tier !== undefined || b.disabled !== undefined, { message: "Send tier and/or disabled" })
  .openapi("AdminUserUpdate");

export const UserListQuery = z.object({
  email: safeText({ max: 254, trim: false }).optional().openapi({ description: "Exact email to look up" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
