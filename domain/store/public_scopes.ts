/**
 * The scopes of public reads: each names a part of the public data whose every write sums 1 into its version
 * (`public_versions_repo.ts`) and sets the `public_reads` marker naming it. Defined in the store, whose writers
 * bump them in their own commits (the store takes no values from the areas); `domain/public_reads/scopes.ts`
 * re-exports them for the readers.
 */

/** The stream marker set with every bump: `{at, scopes}`. */
export const PUBLIC_READS_STREAM = "public_reads";
/** The public list of tracked strategies (row fields: status, NAV, trading days, claimed, creator's nickname). */
export const LIST_SCOPE = "list";
/** Market data: symbols, bars and their freshness. */
export const MARKET_SCOPE = "market";
/** The trading calendars (official closure lists installed by admins). */
export const CALENDAR_SCOPE = "calendar";
/** One public strategy's record: strategy fields, settled days, signals, claimed history, audit trail. */
export const strategyScope = (slug: string) => `strategy:${slug}`;
/** One transparency log (`production` or `demo`): its leaves, checkpoints and cosignatures. */
export const logScope = (log: string) => `log:${log}`;

/** What the `public_reads` marker holds. */
export interface PublicReadsMarker {
  at: number;
  scopes: string[];
}
