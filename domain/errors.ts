/** Base class of every error the domain raises on purpose; routes map each subclass to one status. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The request is well-formed but breaks a business rule (HTTP 400); `extra` fields, when given, are sent next
 * to `detail` (e.g. the `next_trading_day` of a refused trade date).
 */
export class BadRequestError extends DomainError {
  constructor(message: string, readonly extra?: Record<string, string | number | boolean | null>) {
    super(message);
  }
}

/** Credentials are missing, invalid or expired (HTTP 401). */
export class UnauthorizedError extends DomainError {}

/** The caller is known but may not do this (HTTP 403). */
export class ForbiddenError extends DomainError {}

/** The named object does not exist, or is not visible to the caller (HTTP 404). */
export class NotFoundError extends DomainError {}

/**
 * A uniqueness rule or a concurrent change prevents the write (HTTP 409); `extra` fields, when given, are sent
 * next to `detail` (e.g. the `existing_signal_hash` of a day already submitted).
 */
export class ConflictError extends DomainError {
  constructor(message: string, readonly extra?: Record<string, string | number | boolean | null>) {
    super(message);
  }
}

/** One entry of a 422 body: what kind of problem (`type`), where (`loc`), and a message (`msg`). */
export interface ValidationIssueItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  /** Machine-readable context of the problem (e.g. a computed cost and the budget it broke). */
  ctx?: Record<string, unknown>;
}

/**
 * A field-level rule failed after schema validation (HTTP 422, same shape as schema errors); `issues`, when
 * given, are sent as the whole `detail` list instead of the one issue made of `type`, `loc` and `message`.
 * `loc` is relative to the operation's input (`[]`: the input as a whole); the adapter that called the
 * operation puts where that input came from in front (`body`, `query`).
 */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly loc: (string | number)[] = [],
    readonly type = "value_error",
    readonly issues?: ValidationIssueItem[],
  ) {
    super(message);
  }
}

/** Too many requests for a limiter bucket (HTTP 429 with `Retry-After`). */
export class RateLimitError extends DomainError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** A dependency the request needs is not configured or not reachable (HTTP 503). */
export class ServiceUnavailableError extends DomainError {}

/** The request asks for more work than a synchronous call allows (HTTP 413). */
export class PayloadTooLargeError extends DomainError {}
