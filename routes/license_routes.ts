/**
 * QuantOS licences (document 002 "QuantOS License"): `/api/v1/deploy/*` (requests, my licence, its download,
 * the image download; auth), the public key (no auth), `/api/v1/admin/license-requests*` (admin decisions), the
 * `license-expiry` admin job, and `/deploy-kit/*` at the root (fingerprint scripts and the public key as a file).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { FINGERPRINT_BAT, FINGERPRINT_SH } from "../domain/licenses/fingerprint_scripts.ts";
import { expireLicenses } from "../domain/licenses/license_expiry.ts";
import {
  approveLicenseRequest,
  listLicenseRequests,
  myLicenseRequest,
  rejectLicenseRequest,
  requestLicense,
} from "../domain/licenses/license_requests.ts";
import {
  downloadLicense,
  licensePublicKey,
  myLicense,
  quantosImageUrl,
} from "../domain/licenses/my_license.ts";
import type { LicenseServices } from "../domain/licenses/services.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "./schemas/common.ts";
import {
  AdminLicenseRequestListSchema,
  AdminLicenseRequestQuery,
  AdminLicenseRequestSchema,
  ApprovedLicenseSchema,
  ApproveLicenseBody,
  CreatedLicenseRequestSchema,
  ImageDownloadQuery,
  LicenseDownloadQuery,
  LicenseExpirySummarySchema,
  LicenseFileSchema,
  LicensePublicKeySchema,
  LicenseRequestBody,
  LicenseRequestIdParam,
  MyLicenseRequestSchema,
  MyLicenseSchema,
  RejectLicenseBody,
} from "./schemas/license.ts";

const tags = ["licenses"];

/** Where a notified user sees their licence and their request (API paths). */
export const LICENSE_LINKS = {
  license: "/api/v1/deploy/my-license",
  request: "/api/v1/deploy/license-request",
} as const;

/** Downloads (licence files, the image redirect) must not be kept by caches. */
const NO_STORE = { "Cache-Control": "no-store" };

/** Builds the `/api/v1` licence router (mounted under `/api/v1`). */
export function licenseRoutes(auth: AuthDeps, deps: LicenseServices) {
  const app = newRouter();
  const user = requireAuth(auth);
  const admin = [user, requireAdmin(auth)];

  app.openapi(
    createRoute({
      method: "post",
      path: "/deploy/license-request",
      tags,
      summary: "Request a QuantOS license for a machine fingerprint (one pending request at a time)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(LicenseRequestBody) },
      responses: {
        201: jsonResponse(CreatedLicenseRequestSchema, "Pending"),
        ...errorResponses(401, 403, 409, 422),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const view = await fromInput("body", () => requestLicense(deps, c.get("principal").user.id, input));
      return c.json(view, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy/license-request",
      tags,
      summary: "My latest license request (`has_request: false` when none)",
      security: bearerSecurity,
      middleware: [user],
      responses: { 200: jsonResponse(MyLicenseRequestSchema, "Request"), ...errorResponses(401, 403) },
    }),
    async (c) => c.json(await myLicenseRequest(deps, c.get("principal").user.id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy/my-license",
      tags,
      summary: "My QuantOS license (`has_license: false` when none); `expired` on today's UTC date",
      security: bearerSecurity,
      middleware: [user],
      responses: { 200: jsonResponse(MyLicenseSchema, "License"), ...errorResponses(401, 403) },
    }),
    async (c) => c.json(await myLicense(deps, c.get("principal").user.id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy/my-license/download",
      tags,
      summary: "Download my signed license file: license.json (default) or ?format=armored (quantos.lic)",
      description:
        "Ed25519-signed; verify offline with `deno task verify-license <file> [--fingerprint HEX]` " +
        "and the key from `/api/v1/deploy/license-public-key`. Sent with `Cache-Control: no-store`.",
      security: bearerSecurity,
      middleware: [user],
      request: { query: LicenseDownloadQuery },
      responses: {
        200: {
          description: "The licence file",
          content: {
            "application/json": { schema: LicenseFileSchema },
            "text/plain": { schema: z.string() },
          },
        },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { format } = c.req.valid("query");
      const file = await downloadLicense(deps, c.get("principal").user.id, format);
      return c.text(file.text, 200, {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        ...NO_STORE,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy/quantos-image/download",
      tags,
      summary: "Redirect (302) to the QuantOS image for an architecture (licensed users only)",
      description: "`arch`: amd64 (default) or arm64. The URL is the QUANTOS_IMAGE_URL_AMD64 or " +
        "QUANTOS_IMAGE_URL_ARM64 setting; unset → 404. Load it with `docker load -i quantos-{arch}.tar.gz`.",
      security: bearerSecurity,
      middleware: [user],
      request: { query: ImageDownloadQuery },
      responses: {
        302: {
          description: "Redirect to the image archive",
          headers: z.object({
            Location: z.string().openapi({ example: "https://downloads.example.com/quantos-amd64.tar.gz" }),
          }),
        },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { arch } = c.req.valid("query");
      const url = await fromInput("query", () => quantosImageUrl(deps, c.get("principal").user.id, arch));
      c.header("Cache-Control", "no-store");
      return c.redirect(url, 302);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy/license-public-key",
      tags,
      summary: "The Ed25519 public key that verifies license files (no auth)",
      responses: { 200: jsonResponse(LicensePublicKeySchema, "Public key") },
    }),
    async (c) => c.json(await licensePublicKey(deps), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/license-requests",
      tags: ["admin"],
      summary: "Admin: license requests (all, or ?status=pending|approved|rejected), newest first",
      security: bearerSecurity,
      middleware: admin,
      request: { query: AdminLicenseRequestQuery },
      responses: {
        200: jsonResponse(AdminLicenseRequestListSchema, "Requests"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const { status, limit, offset } = c.req.valid("query");
      return c.json(await listLicenseRequests(deps, status, { limit, offset }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/license-requests/{id}/approve",
      tags: ["admin"],
      summary: "Admin: approve a pending request, issuing its license (replaces the user's current one)",
      description:
        "Sets the user's tier to `licensed` and notifies them (`license_approved`). `expires` must be " +
        "after today (UTC). A request that is not pending answers 409.",
      security: bearerSecurity,
      middleware: admin,
      request: { params: LicenseRequestIdParam, body: jsonBody(ApproveLicenseBody) },
      responses: {
        200: jsonResponse(ApprovedLicenseSchema, "Approved"),
        ...errorResponses(401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const adminId = c.get("principal").user.id;
      return c.json(await fromInput("body", () => approveLicenseRequest(deps, adminId, id, input)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/license-requests/{id}/reject",
      tags: ["admin"],
      summary: "Admin: reject a pending request with a reply (the user is notified: `license_rejected`)",
      security: bearerSecurity,
      middleware: admin,
      request: { params: LicenseRequestIdParam, body: jsonBody(RejectLicenseBody) },
      responses: {
        200: jsonResponse(AdminLicenseRequestSchema, "Rejected"),
        ...errorResponses(401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const adminId = c.get("principal").user.id;
      return c.json(await fromInput("body", () => rejectLicenseRequest(deps, adminId, id, input)), 200);
    },
  );

  return app;
}

/** A text file answer of the deploy kit. */
function textFile(description: string) {
  return { 200: { description, content: { "text/plain": { schema: z.string() } } } } as const;
}

/** Builds the root `/deploy-kit/*` router: the fingerprint scripts and the public key as a PEM file (no auth). */
export function deployKitRoutes(deps: LicenseServices) {
  const app = newRouter();
  const scripts = [
    {
      path: "/deploy-kit/fingerprint.sh",
      text: FINGERPRINT_SH,
      filename: "fingerprint.sh",
      os: "Linux / macOS",
    },
    {
      path: "/deploy-kit/fingerprint.bat",
      text: FINGERPRINT_BAT,
      filename: "fingerprint.bat",
      os: "Windows",
    },
  ];
  for (const script of scripts) {
    app.openapi(
      createRoute({
        method: "get",
        path: script.path,
        tags,
        summary: `The machine fingerprint script for ${script.os} (prints the 64-hex fingerprint)`,
        responses: textFile("The script"),
      }),
      (c) =>
        c.text(script.text, 200, {
          "Content-Type": "text/plain; charset=utf-8",
          "Content-Disposition": `attachment; filename="${script.filename}"`,
        }),
    );
  }
  app.openapi(
    createRoute({
      method: "get",
      path: "/deploy-kit/license-public-key.pem",
      tags,
      summary: "The license-verifying public key as a PEM file (what `deno task verify-license` reads)",
      responses: textFile("SubjectPublicKeyInfo PEM"),
    }),
    async (c) =>
      c.text((await licensePublicKey(deps)).public_key_pem, 200, {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Disposition": 'attachment; filename="license-public-key.pem"',
      }),
  );
  return app;
}

/**
 * The `license-expiry` daily job for `POST /admin/jobs/license-expiry/run?date=` (default today, UTC), an
 * `AdminJob` of `admin_job_routes.ts` (typed structurally: routers do not import each other).
 */
export function licenseExpiryJob(deps: LicenseServices) {
  return {
    name: "license-expiry",
    description: "00:10 UTC: licences whose expires day is before the date: tier back to free, user notified",
    summary: LicenseExpirySummarySchema,
    run: async (date: string | undefined) => {
      const summary = await expireLicenses(deps, date);
      return { date: summary.date, summary };
    },
  };
}
