/**
 * A stand-in for the GitHub contents API on 127.0.0.1, enough for Octokit's `repos.getContent`,
 * `repos.createOrUpdateFileContents` and `repos.listCommits`: files live in memory per branch, paths may arrive
 * percent-encoded (Octokit sends `signals%2Fslug%2F2024-01-02.json`), and the bodies carry the fields GitHub
 * returns (`content.sha`, `content.html_url`, `commit.sha`, `commit.html_url`, base64 content wrapped at 60).
 *
 * Status codes as GitHub answers them: 401 without `authorization: token|Bearer <token>`, 404 for an absent file
 * or another repository, 409 when a PUT's `sha` is missing for an existing file or does not match it, 422 for a
 * PUT without `message` or `content`. `failWith` makes every request answer that status; `delayMs` holds every
 * answer back (until the fake closes).
 */

/** One stored file version. */
export interface FakeFile {
  path: string;
  /** Git blob sha1 of the content. */
  sha: string;
  /** The decoded UTF-8 text. */
  text: string;
}

/** One commit made through the fake. */
export interface FakeCommit {
  sha: string;
  branch: string;
  path: string;
  message: string;
  html_url: string;
}

/** A running fake. */
export interface FakeGithubContents {
  /** `http://127.0.0.1:<port>`: pass as the attester's `apiBaseUrl`. */
  apiBaseUrl: string;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** When set, every request answers this status with a GitHub-style JSON error. */
  failWith: number | null;
  /** Milliseconds to hold every answer back. */
  delayMs: number;
  /** Every request received: method, decoded path (without the query), query string, and JSON body of a PUT. */
  requests: { method: string; path: string; query: string; body: Record<string, unknown> | null }[];
  /** Called with each request (after it is recorded, before it is answered); tests use it to stage races. */
  beforeAnswer: ((method: string, path: string) => void | Promise<void>) | null;
  /** Commits made, oldest first. */
  commits: FakeCommit[];
  /** The file at `path` on `branch` (default branch by default), or `null`. */
  file(path: string, branch?: string): FakeFile | null;
  /** Stores a file directly, as if committed by someone else; returns the commit. */
  seed(path: string, text: string, branch?: string): Promise<FakeCommit>;
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";

async function gitBlobSha(text: string): Promise<string> {
  const body = new TextEncoder().encode(text);
  const header = new TextEncoder().encode(`blob ${body.length}\0`);
  const all = new Uint8Array(header.length + body.length);
  all.set(header);
  all.set(body, header.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64Wrapped(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  const flat = btoa(binary);
  return (flat.match(/.{1,60}/g) ?? [""]).join("\n") + "\n";
}

function decodeBase64(text: string): string | null {
  try {
    const binary = atob(text.replace(/\s+/g, ""));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** Starts a fake for repository `owner/repo` that accepts `token`. */
export function startFakeGithubContents(
  options: { token: string; owner?: string; repo?: string; defaultBranch?: string },
): FakeGithubContents {
  const owner = options.owner ?? "quantedge";
  const repo = options.repo ?? "signals";
  const defaultBranch = options.defaultBranch ?? "main";
  const files = new Map<string, FakeFile>(); // `${branch}\n${path}` → file
  const sleepers = new Set<() => void>();
  let commitCounter = 0;

  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  const error = (status: number, message: string) =>
    json({ message, documentation_url: DOCS, status: `${status}` }, status);
  const web = (...parts: string[]) => `https://github.com/${owner}/${repo}/${parts.join("/")}`;
  const api = (rest: string) => `${fake.apiBaseUrl}/repos/${owner}/${repo}/${rest}`;

  function contentBody(f: FakeFile, branch: string) {
    const name = f.path.split("/").pop()!;
    return {
      name,
      path: f.path,
      sha: f.sha,
      size: new TextEncoder().encode(f.text).length,
      url: api(`contents/${f.path}?ref=${branch}`),
      html_url: web("blob", branch, f.path),
      git_url: api(`git/blobs/${f.sha}`),
      download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${branch}/${f.path}`,
      type: "file",
      _links: {
        self: api(`contents/${f.path}?ref=${branch}`),
        git: api(`git/blobs/${f.sha}`),
        html: web("blob", branch, f.path),
      },
    };
  }

  async function commit(path: string, text: string, branch: string, message: string) {
    const f: FakeFile = { path, sha: await gitBlobSha(text), text };
    files.set(`${branch}\n${path}`, f);
    const sha = await gitBlobSha(`commit ${++commitCounter} ${branch} ${path} ${message}`);
    const c: FakeCommit = { sha, branch, path, message, html_url: web("commit", sha) };
    fake.commits.push(c);
    return { file: f, commit: c };
  }

  /** Waits `ms`, or until the fake closes (so a client that gave up does not hold the shutdown). */
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  const fake: FakeGithubContents = {
    apiBaseUrl: "",
    owner,
    repo,
    defaultBranch,
    failWith: null,
    delayMs: 0,
    requests: [],
    beforeAnswer: null,
    commits: [],
    file: (path, branch = defaultBranch) => files.get(`${branch}\n${path}`) ?? null,
    seed: async (path, text, branch = defaultBranch) => (await commit(path, text, branch, "seed")).commit,
    close: async () => {
      for (const wake of [...sleepers]) wake();
      await server.shutdown();
    },
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const path = decodeURIComponent(url.pathname);
    const body = req.method === "PUT" ? await req.json().catch(() => null) : null;
    fake.requests.push({ method: req.method, path, query: url.search, body });
    if (fake.beforeAnswer) await fake.beforeAnswer(req.method, path);
    if (fake.delayMs > 0) {
      await sleep(fake.delayMs);
    }
    if (fake.failWith !== null) {
      return error(fake.failWith, fake.failWith >= 500 ? "Server Error" : "Failure");
    }

    const auth = req.headers.get("authorization") ?? "";
    const presented = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
    if (presented !== options.token) return error(401, "Bad credentials");

    const prefix = `/repos/${owner}/${repo}/`;
    if (!path.startsWith(prefix)) return error(404, "Not Found");
    const rest = path.slice(prefix.length);

    if (req.method === "GET" && rest === "commits") {
      const onPath = url.searchParams.get("path");
      const branch = url.searchParams.get("sha") || defaultBranch;
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const list = fake.commits
        .filter((c) => c.branch === branch && (!onPath || c.path === onPath))
        .reverse()
        .slice(0, perPage)
        .map((c) => ({
          sha: c.sha,
          url: api(`commits/${c.sha}`),
          html_url: c.html_url,
          commit: { message: c.message },
        }));
      return json(list);
    }

    if (!rest.startsWith("contents/")) return error(404, "Not Found");
    const filePath = rest.slice("contents/".length);

    if (req.method === "GET") {
      const branch = url.searchParams.get("ref") || defaultBranch;
      const f = files.get(`${branch}\n${filePath}`);
      if (!f) return error(404, "Not Found");
      return json({ ...contentBody(f, branch), encoding: "base64", content: base64Wrapped(f.text) });
    }

    if (req.method === "PUT") {
      if (!body || typeof body.message !== "string" || typeof body.content !== "string") {
        return error(422, 'Invalid request.\n\n"message" and "content" are required.');
      }
      const text = decodeBase64(body.content);
      if (text === null) return error(422, "content is not valid Base64");
      const branch = typeof body.branch === "string" && body.branch ? body.branch : defaultBranch;
      const existing = files.get(`${branch}\n${filePath}`);
      if (existing && body.sha !== existing.sha) {
        return error(
          409,
          `${filePath} does not match ${typeof body.sha === "string" ? body.sha : "(no sha)"}`,
        );
      }
      const made = await commit(filePath, text, branch, body.message);
      return json({
        content: contentBody(made.file, branch),
        commit: {
          sha: made.commit.sha,
          node_id: `C_${made.commit.sha.slice(0, 12)}`,
          url: api(`git/commits/${made.commit.sha}`),
          html_url: made.commit.html_url,
          message: made.commit.message,
          tree: { sha: await gitBlobSha(`tree ${made.commit.sha}`), url: api("git/trees/x") },
          parents: [],
        },
      }, existing ? 200 : 201);
    }
    return error(404, "Not Found");
  });
  fake.apiBaseUrl = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
