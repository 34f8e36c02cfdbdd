/**
 * The scopes of public reads, as the readers (routes, the stream bridge) name them. They are defined in
 * `domain/store/public_scopes.ts`, beside the version keys, because the store's writers bump them in their own
 * commits and the store takes no values from the areas.
 */
export {
  CALENDAR_SCOPE,
  LIST_SCOPE,
  logScope,
  MARKET_SCOPE,
  PUBLIC_READS_STREAM,
  type PublicReadsMarker,
  strategyScope,
} from "../store/public_scopes.ts";
