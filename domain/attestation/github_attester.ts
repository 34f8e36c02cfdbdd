/**
 * Attests signals (and transparency-log checkpoints) to a GitHub repository: each strategy-day becomes the file `signals/{slug}/{trade_date}.json`,
 * committed through the contents API with Octokit, so the repository's history is a public, timestamped record
 * of every signal hash. A replaced signal updates its file (a new commit); attesting the same hash again returns
 * the commit that last wrote the file and commits nothing. Failures never throw: they come back as
 * `{ committed: false, reason }` so the caller can record them and retry later (the 09:10 job). Octokit's own
 * retry and throttling plugins are off for the same reason — one bounded attempt, then the job retries. The
 * token is never logged and never appears in a reason.
 */
import { deadlineSignal } from "../clock.ts";
import { Octokit } from "octokit";
import type { Checkpoint } from "./checkpoint.ts";

/** The outcome of one attestation: the commit that holds the file, or why there is none. */
export type AttestationResult =
  | { committed: true; sha: string; url: string; path: string }
  | { committed: false; reason: string };

/** What is attested for one strategy-day. */
export interface SignalFile {
  slug: string;
  trade_date: string;
  canonical_json: string;
  signal_hash: string;
}

/** A sink that attests signal files. */
export interface SignalAttester {
  /** Whether a destination is configured; `attest` on an unconfigured attester always fails. */
  readonly configured: boolean;
  /** Commits the file, or reports why it could not; never throws. */
  attest(file: SignalFile): Promise<AttestationResult>;
  /**
   * Commits a transparency-log checkpoint as `checkpoints/<origin with "/" → "_">/<tree_size>.json` (the
   * checkpoint's signed fields, pretty JSON); committing the same checkpoint again returns the commit that last
   * wrote the file. Never throws.
   */
  attestCheckpoint(checkpoint: Checkpoint): Promise<AttestationResult>;
  /**
   * The raw-content URL a script can fetch the strategy-day's file from (`null` when unconfigured): at
   * `commitSha` when given (immutable), else on the configured branch (`HEAD`, the default branch, when none).
   * On github.com it is `https://raw.githubusercontent.com/{owner}/{repo}/{ref}/{path}`; on GitHub Enterprise
   * (an API root ending in `/api/v3`, or any other host) `https://{host}/{owner}/{repo}/raw/{ref}/{path}`.
   */
  rawFileUrl(slug: string, tradeDate: string, commitSha: string | null): string | null;
}

/** GitHub's public API root. */
const DEFAULT_GITHUB_API_URL = "https://api.github.com";
/** How long one attestation (read plus write) may take before it gives up with `github_timeout`. */
const DEFAULT_GITHUB_TIMEOUT_MS = 10_000;

/** How many times a write that lost a race with another writer (409/422) is re-read and retried. */
const WRITE_ATTEMPTS = 3;
const MAX_REASON_CHARS = 300;

/** The repository path of a strategy-day's file: `signals/{slug}/{trade_date}.json`. */
export function signalFilePath(slug: string, tradeDate: string): string {
  return `signals/${slug}/${tradeDate}.json`;
}

/**
 * The file's text: pretty-printed (2-space) JSON `{ "strategy", "trade_date", "signal_hash", "canonical_json" }`
 * followed by a newline.
 */
export function signalFileText(file: SignalFile): string {
  const body = {
    strategy: file.slug,
    trade_date: file.trade_date,
    signal_hash: file.signal_hash,
    canonical_json: file.canonical_json,
  };
  return JSON.stringify(body, null, 2) + "\n";
}

/** The commit message of a strategy-day's file: `signal {slug} {trade_date} {first 12 of the hash}`. */
function signalCommitMessage(file: SignalFile): string {
  return `signal ${file.slug} ${file.trade_date} ${file.signal_hash.slice(0, 12)}`;
}

/** The repository path of a checkpoint's file: `checkpoints/<origin with "/" → "_">/<tree_size>.json`. */
function checkpointFilePath(origin: string, treeSize: number): string {
  return `checkpoints/${origin.replaceAll("/", "_")}/${treeSize}.json`;
}

/** The checkpoint file's text: its signed fields as pretty-printed (2-space) JSON and a newline. */
function checkpointFileText(c: Checkpoint): string {
  const { origin, tree_size, root_hash, timestamp, note, signature, algorithm, public_key, key_id } = c;
  const body = { origin, tree_size, root_hash, timestamp, note, signature, algorithm, public_key, key_id };
  return JSON.stringify(body, null, 2) + "\n";
}

/** Why a checkpoint cannot be committed as given, or `null` when it can. */
function invalidCheckpoint(c: Checkpoint): string | null {
  const segment = c.origin.replaceAll("/", "_");
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(segment) || segment.includes("..")) {
    return "invalid_checkpoint: origin";
  }
  if (!Number.isSafeInteger(c.tree_size) || c.tree_size < 1) return "invalid_checkpoint: tree_size";
  if (typeof c.signature !== "string" || typeof c.note !== "string") return "invalid_checkpoint: signature";
  return null;
}

/** An attester with no destination: every `attest` reports `repo_not_configured`. */
export const unconfiguredAttester: SignalAttester = {
  configured: false,
  attest: () => Promise.resolve({ committed: false, reason: "repo_not_configured" }),
  attestCheckpoint: () => Promise.resolve({ committed: false, reason: "repo_not_configured" }),
  rawFileUrl: () => null,
};

/** The raw-content root of a repository served behind `apiBaseUrl` (see `SignalAttester.rawFileUrl`). */
function rawRoot(apiBaseUrl: string, owner: string, repo: string): string {
  const api = new URL(apiBaseUrl);
  if (api.hostname === "api.github.com") return `https://raw.githubusercontent.com/${owner}/${repo}`;
  const prefix = api.pathname.replace(/\/api\/v3\/?$/, "").replace(/\/+$/, "");
  return `${api.origin}${prefix}/${owner}/${repo}/raw`;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function toBase64(text: string): string {
  let binary = "";
  for (const b of utf8.encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): string | null {
  try {
    const binary = atob(text.replace(/\s+/g, ""));
    return fromUtf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** Why a file cannot be attested as given, or `null` when it can. */
function invalidFile(file: SignalFile): string | null {
  const segment = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
  if (typeof file.slug !== "string" || !segment.test(file.slug) || file.slug.includes("..")) {
    return "invalid_signal_file: slug";
  }
  if (typeof file.trade_date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(file.trade_date)) {
    return "invalid_signal_file: trade_date";
  }
  if (typeof file.signal_hash !== "string" || !/^[0-9a-f]{64}$/.test(file.signal_hash)) {
    return "invalid_signal_file: signal_hash";
  }
  if (typeof file.canonical_json !== "string") return "invalid_signal_file: canonical_json";
  return null;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS)}…` : flat;
}

interface HttpError {
  status: number;
  message: string;
  response?: { data?: unknown };
}

function isHttpError(err: unknown): err is HttpError {
  return err instanceof Error && typeof (err as Partial<HttpError>).status === "number";
}

/** The failure reason for an error thrown by Octokit, with the token redacted should it ever appear. */
function reasonOf(err: unknown, timedOut: boolean, token: string): string {
  let reason: string;
  if (timedOut) {
    reason = "github_timeout";
  } else if (isHttpError(err) && err.response) {
    const data = err.response.data;
    const message =
      data && typeof data === "object" && typeof (data as { message?: unknown }).message === "string"
        ? (data as { message: string }).message
        : err.message;
    reason = `github_error: ${err.status} ${oneLine(message || "")}`.trim();
  } else {
    // Octokit reports a failed fetch as an error without a response, its message taken from the fetch error.
    reason = `network_error: ${oneLine(err instanceof Error ? err.message : String(err))}`;
  }
  // Real tokens are long; redacting a very short test token would mangle ordinary words.
  return token.length >= 8 ? reason.split(token).join("[REDACTED]") : reason;
}

/**
 * An attester that commits to `repo` ("owner/name") with `token`, through `apiBaseUrl` (GitHub Enterprise:
 * `https://host/api/v3`), on `branch` (default: the repository's default branch), each attestation bounded by
 * `timeoutMs`. Throws `TypeError` when `repo` is not "owner/name" or the token is empty.
 */
export function createGithubAttester(options: {
  token: string;
  repo: string;
  apiBaseUrl?: string;
  branch?: string;
  timeoutMs?: number;
}): SignalAttester {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repo.trim());
  if (!match) {
    throw new TypeError(`The GitHub attestation repository must be "owner/name", not "${options.repo}"`);
  }
  if (!options.token) throw new TypeError("The GitHub attestation token is empty");
  const [, owner, repo] = match;
  const token = options.token;
  const branch = options.branch || undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const noop = () => {};
  const apiBaseUrl = (options.apiBaseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
  const raw = rawRoot(apiBaseUrl, owner, repo);
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiBaseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
    log: { debug: noop, info: noop, warn: noop, error: noop },
  });

  /**
   * The file on the branch — its blob sha, file URL and the signal hash it records (`null` when unreadable) —
   * `{ notAFile }` when the path is a directory or link, `null` when absent.
   */
  async function readExisting(path: string, signal: AbortSignal) {
    try {
      const res = await octokit.rest.repos.getContent({
        owner,
        repo,
        path,
        ref: branch,
        request: { signal },
      });
      const data = res.data;
      if (Array.isArray(data) || data.type !== "file") return { notAFile: true as const };
      let parsed: Record<string, unknown> | null = null;
      const text = "content" in data && typeof data.content === "string" ? fromBase64(data.content) : null;
      try {
        const value = text === null ? null : JSON.parse(text);
        if (value && typeof value === "object") parsed = value;
      } catch {
        // Not our JSON: it is overwritten.
      }
      return { notAFile: false as const, sha: data.sha, htmlUrl: data.html_url ?? null, parsed };
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return null;
      throw err;
    }
  }

  /** The newest commit on the branch that touched `path`, or `null` when the listing is empty. */
  async function lastCommitOf(path: string, signal: AbortSignal) {
    const res = await octokit.rest.repos.listCommits({
      owner,
      repo,
      path,
      sha: branch,
      per_page: 1,
      request: { signal },
    });
    return res.data[0] ?? null;
  }

  /**
   * Writes `text` at `path` unless the file already says the same (`same` of its JSON): then the commit that
   * last touched it is answered. A write that lost a race is re-read and retried; never throws.
   */
  async function commitFile(
    path: string,
    text: string,
    message: string,
    same: (parsed: Record<string, unknown>) => boolean,
  ): Promise<AttestationResult> {
    const deadline = deadlineSignal(timeoutMs);
    const signal = deadline.signal;
    try {
      for (let attempt = 1;; attempt++) {
        const existing = await readExisting(path, signal);
        if (existing?.notAFile) return { committed: false, reason: `github_error: ${path} is not a file` };
        if (existing?.parsed && same(existing.parsed)) {
          const commit = await lastCommitOf(path, signal);
          if (commit) {
            const url = existing.htmlUrl ?? commit.html_url;
            return { committed: true, sha: commit.sha, url, path };
          }
        }
        try {
          const res = await octokit.rest.repos.createOrUpdateFileContents({
            owner,
            repo,
            path,
            message,
            content: toBase64(text),
            sha: existing?.sha,
            branch,
            request: { signal },
          });
          const sha = res.data.commit.sha;
          if (!sha) return { committed: false, reason: "github_error: commit without a sha" };
          const url = res.data.content?.html_url ?? res.data.commit.html_url ?? "";
          return { committed: true, sha, url, path };
        } catch (err) {
          // Another writer changed the file between our read and write: read it again.
          const raced = isHttpError(err) && (err.status === 409 || err.status === 422) && !signal.aborted;
          if (!raced || attempt >= WRITE_ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      return { committed: false, reason: reasonOf(err, signal.aborted, token) };
    } finally {
      deadline.clear();
    }
  }

  return {
    configured: true,
    rawFileUrl(slug, tradeDate, commitSha) {
      const segments = (text: string) => text.split("/").map(encodeURIComponent).join("/");
      return `${raw}/${segments(commitSha ?? branch ?? "HEAD")}/${segments(signalFilePath(slug, tradeDate))}`;
    },
    async attest(file) {
      const invalid = invalidFile(file);
      if (invalid) return { committed: false, reason: invalid };
      return await commitFile(
        signalFilePath(file.slug, file.trade_date),
        signalFileText(file),
        signalCommitMessage(file),
        (parsed) => parsed.signal_hash === file.signal_hash,
      );
    },
    async attestCheckpoint(checkpoint) {
      const invalid = invalidCheckpoint(checkpoint);
      if (invalid) return { committed: false, reason: invalid };
      return await commitFile(
        checkpointFilePath(checkpoint.origin, checkpoint.tree_size),
        checkpointFileText(checkpoint),
        `checkpoint ${checkpoint.origin} ${checkpoint.tree_size} ${checkpoint.root_hash.slice(0, 12)}`,
        (parsed) => parsed.note === checkpoint.note && parsed.signature === checkpoint.signature,
      );
    },
  };
}
