/** Argument shapes several tools share: paging, slugs, dates. Tool arguments are JSON, so nothing is coerced. */
import { z } from "zod";
import { IsoDateString } from "../routes/schemas/calendar.ts";

/** `limit` and `offset` of a page (max 200, the documents' rule), with the tool's default limit. */
export function pageArgs(defaultLimit: number) {
  return {
    limit: z.number().int().min(1).max(200).default(defaultLimit).describe(
      `Items to return, 1–200 (default ${defaultLimit})`,
    ),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Items to skip (default 0)"),
  };
}

/** A tracked strategy's slug (what create_strategy was given). */
export const SlugArg = z.string().min(1).max(64).describe(
  'The strategy\'s slug, e.g. "hs300-ml-alpha" (list yours with list_strategies)',
);

/** A calendar date. */
export const DateArg = IsoDateString.describe("A date, YYYY-MM-DD");
