/**
 * `/api/v1/portfolios*` (auth): multi-factor portfolios, their members, lifecycle and signal history. Another
 * user's portfolio (or factor) is "not found".
 */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  createPortfolio,
  deletePortfolio,
  getPortfolioView,
  listPortfoliosView,
} from "../domain/portfolios/portfolio_crud.ts";
import { listPortfolioSignalsView } from "../domain/portfolios/portfolio_history.ts";
import {
  activatePortfolio,
  pausePortfolio,
  resumePortfolio,
} from "../domain/portfolios/portfolio_lifecycle.ts";
import { addPortfolioMember, removePortfolioMember } from "../domain/portfolios/portfolio_members.ts";
import type { PortfolioServices } from "../domain/portfolios/services.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "./schemas/common.ts";
import {
  AddMemberBody,
  CreatePortfolioBody,
  PortfolioDeletedSchema,
  PortfolioIdParam,
  PortfolioListQuery,
  PortfolioListSchema,
  PortfolioMemberParam,
  PortfolioSchema,
  PortfolioSignalsPageSchema,
  PortfolioSignalsQuery,
} from "./schemas/portfolios.ts";

const tags = ["portfolios"];

/** Builds the portfolio router. */
export function portfolioRoutes(auth: AuthDeps, deps: PortfolioServices) {
  const app = newRouter();
  const common = { tags, security: bearerSecurity, middleware: [requireAuth(auth)] };

  app.openapi(
    createRoute({
      method: "post",
      path: "/portfolios",
      ...common,
      summary: "Create a draft multi-factor portfolio",
      request: { body: jsonBody(CreatePortfolioBody) },
      responses: { 201: jsonResponse(PortfolioSchema, "Created"), ...errorResponses(401, 403, 409, 422) },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      return c.json(await fromInput("body", () => createPortfolio(deps, me, c.req.valid("json"))), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/portfolios",
      ...common,
      summary: "My portfolios, newest first",
      request: { query: PortfolioListQuery },
      responses: { 200: jsonResponse(PortfolioListSchema, "Portfolios"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => {
      return c.json(await listPortfoliosView(deps, c.get("principal").user.id, c.req.valid("query")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/portfolios/{portfolio_id}",
      ...common,
      summary: "One portfolio: members (name, status, IC, weight), the bound strategy, the latest run",
      request: { params: PortfolioIdParam },
      responses: { 200: jsonResponse(PortfolioSchema, "Portfolio"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      return c.json(await getPortfolioView(deps, c.get("principal").user.id, portfolio_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/portfolios/{portfolio_id}",
      ...common,
      summary: "Delete a draft or paused portfolio (its strategy is retired; its public record stays)",
      request: { params: PortfolioIdParam },
      responses: {
        200: jsonResponse(PortfolioDeletedSchema, "Deleted"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      return c.json(await deletePortfolio(deps, c.get("principal").user.id, portfolio_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/portfolios/{portfolio_id}/members",
      ...common,
      summary: "Add one of my active factors of the portfolio's universe (not while active)",
      request: { params: PortfolioIdParam, body: jsonBody(AddMemberBody) },
      responses: {
        200: jsonResponse(PortfolioSchema, "Added"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      const { factor_id } = c.req.valid("json");
      return c.json(
        await fromInput(
          "body",
          () => addPortfolioMember(deps, c.get("principal").user.id, portfolio_id, factor_id),
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/portfolios/{portfolio_id}/members/{factor_id}",
      ...common,
      summary: "Remove a member factor (not while active)",
      request: { params: PortfolioMemberParam },
      responses: {
        200: jsonResponse(PortfolioSchema, "Removed"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { portfolio_id, factor_id } = c.req.valid("param");
      return c.json(
        await removePortfolioMember(deps, c.get("principal").user.id, portfolio_id, factor_id),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/portfolios/{portfolio_id}/activate",
      ...common,
      summary: "draft → active: creates and binds the mf-… strategy; submits today's signal before 09:15 CST",
      description:
        "Needs at least 2 members, each still an active factor of mine in the portfolio's universe. The strategy " +
        "(slug mf-<name>-<6 chars of the id>, open execution, holding period 1, capital 1,000,000, commission " +
        "0.0003, slippage 0.002) counts against my tier's strategy limit (403 at the limit). On an SSE trading day " +
        "before 09:15 Asia/Shanghai today's signal is generated and submitted at once; if that fails the " +
        "portfolio stays active and the 09:00/09:05/09:12 runs retry (see `last_run`).",
      request: { params: PortfolioIdParam },
      responses: {
        200: jsonResponse(PortfolioSchema, "Active"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      return c.json(await activatePortfolio(deps, c.get("principal").user, portfolio_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/portfolios/{portfolio_id}/pause",
      ...common,
      summary: "active → paused (an active strategy is paused too)",
      request: { params: PortfolioIdParam },
      responses: { 200: jsonResponse(PortfolioSchema, "Paused"), ...errorResponses(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      return c.json(await pausePortfolio(deps, c.get("principal").user.id, portfolio_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/portfolios/{portfolio_id}/resume",
      ...common,
      summary: "paused → active (the strategy too); submits today's signal before 09:15 CST like activate",
      request: { params: PortfolioIdParam },
      responses: { 200: jsonResponse(PortfolioSchema, "Active"), ...errorResponses(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      return c.json(await resumePortfolio(deps, c.get("principal").user.id, portfolio_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/portfolios/{portfolio_id}/signals",
      ...common,
      summary: "The portfolio strategy's signals, newest first, with stock count, settlement and attestation",
      request: { params: PortfolioIdParam, query: PortfolioSignalsQuery },
      responses: {
        200: jsonResponse(PortfolioSignalsPageSchema, "Signals"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { portfolio_id } = c.req.valid("param");
      const { limit, offset } = c.req.valid("query");
      return c.json(
        await listPortfolioSignalsView(deps, c.get("principal").user.id, portfolio_id, limit, offset),
        200,
      );
    },
  );

  return app;
}
