/** Query and response schemas of the GitHub sign-in routes. */
import { z } from "@hono/zod-openapi";
import { ErrorSchema, jsonResponse, safeText } from "./common.ts";

/** `GET /auth/oauth/github` query: where a front end wants the tokens. */
export const GithubStartQuery = z.object({
  redirect_uri: safeText({ max: 2048, trim: false }).optional().openapi({
    description:
      "A front-end URL on this service or a configured CORS origin; the tokens are sent there in " +
      "the URL fragment instead of as JSON from the callback",
    example: "https://app.example.com/auth/done",
  }),
});

/** `GET /auth/oauth/github/callback` query, as GitHub sends it (other parameters are ignored). */
export const GithubCallbackQuery = z.object({
  state: safeText({ min: 1, max: 512, trim: false }).openapi({ example: "k3Jx0bQm2vY9…" }),
  code: safeText({ min: 1, max: 512, trim: false }).optional().openapi({ example: "3584d83530557fdd1f46" }),
  error: safeText({ max: 256, trim: false }).optional().openapi({ example: "access_denied" }),
  error_description: safeText({ max: 1024, multiline: true, trim: false }).optional(),
});

/** A redirect response with its `Location` header. */
export function redirectResponse(description: string, example: string) {
  return { description, headers: z.object({ Location: z.string().openapi({ example }) }) } as const;
}

/** 404 when GitHub sign-in is not configured. */
export const notConfiguredResponse = jsonResponse(ErrorSchema, "GitHub sign-in is not configured", {
  detail: "GitHub sign-in is not configured",
});

/** 503 when GitHub cannot be reached. */
export const githubUnavailableResponse = jsonResponse(
  ErrorSchema,
  "GitHub is unreachable or answered nonsense",
);
