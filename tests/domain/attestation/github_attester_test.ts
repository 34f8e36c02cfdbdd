import assert from "node:assert/strict";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import {
  createGithubAttester,
  type SignalFile,
  signalFileText,
  unconfiguredAttester,
} from "../../../domain/attestation/github_attester.ts";
import { type FakeGithubContents, startFakeGithubContents } from "../../_helpers/fake_github_contents.ts";

const TOKEN = "ghp_testtoken1234567890";

async function signalFile(
  weight = 0.5,
  slug = "alpha-momentum",
  tradeDate = "2024-01-02",
): Promise<SignalFile> {
  const canonical_json = JSON.stringify({
    signals: [{ symbol: "600519.SH", weight: String(weight) }],
    strategy: slug,
    trade_date: tradeDate,
  });
  return { slug, trade_date: tradeDate, canonical_json, signal_hash: await sha256Hex(canonical_json) };
}

async function withFake(fn: (fake: FakeGithubContents) => Promise<void>) {
  const fake = startFakeGithubContents({ token: TOKEN, owner: "acme", repo: "track-record" });
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

const attesterFor = (
  fake: FakeGithubContents,
  extra: { token?: string; timeoutMs?: number; branch?: string } = {},
) =>
  createGithubAttester({
    token: extra.token ?? TOKEN,
    repo: "acme/track-record",
    apiBaseUrl: fake.apiBaseUrl,
    branch: extra.branch,
    timeoutMs: extra.timeoutMs,
  });

Deno.test("attest() creates signals/{slug}/{date}.json with the pretty JSON record", () =>
  withFake(async (fake) => {
    const file = await signalFile();
    const result = await attesterFor(fake).attest(file);
    const path = "signals/alpha-momentum/2024-01-02.json";
    assert.deepEqual(result, {
      committed: true,
      sha: fake.commits[0].sha,
      url: `https://github.com/acme/track-record/blob/main/${path}`,
      path,
    });
    const stored = fake.file(path)!;
    assert.equal(stored.text, signalFileText(file));
    assert.deepEqual(JSON.parse(stored.text), {
      strategy: "alpha-momentum",
      trade_date: "2024-01-02",
      signal_hash: file.signal_hash,
      canonical_json: file.canonical_json,
    });
    assert.ok(stored.text.endsWith("}\n"));
    assert.equal(
      fake.commits[0].message,
      `signal alpha-momentum 2024-01-02 ${file.signal_hash.slice(0, 12)}`,
    );
    const put = fake.requests.find((r) => r.method === "PUT")!;
    assert.equal(put.path, `/repos/acme/track-record/contents/${path}`);
    assert.equal(put.body?.sha, undefined);
  }));

Deno.test("attest() replaces a changed signal's file, passing the existing blob sha", () =>
  withFake(async (fake) => {
    const attester = attesterFor(fake);
    const first = await attester.attest(await signalFile(0.5));
    const blobBefore = fake.file("signals/alpha-momentum/2024-01-02.json")!.sha;
    const replaced = await signalFile(0.25);
    const second = await attester.attest(replaced);
    assert.ok(first.committed && second.committed);
    assert.notEqual(second.sha, first.sha);
    assert.equal(second.sha, fake.commits[1].sha);
    const puts = fake.requests.filter((r) => r.method === "PUT");
    assert.equal(puts.length, 2);
    assert.equal(puts[1].body?.sha, blobBefore);
    assert.equal(
      JSON.parse(fake.file("signals/alpha-momentum/2024-01-02.json")!.text).signal_hash,
      replaced.signal_hash,
    );
  }));

Deno.test("attest() of an already-attested hash returns the existing commit and commits nothing", () =>
  withFake(async (fake) => {
    const attester = attesterFor(fake);
    const file = await signalFile();
    const first = await attester.attest(file);
    const again = await attester.attest(file);
    assert.deepEqual(again, first);
    assert.equal(fake.commits.length, 1);
    assert.equal(fake.requests.filter((r) => r.method === "PUT").length, 1);
  }));

Deno.test("attest() overwrites a file someone else committed at the path", () =>
  withFake(async (fake) => {
    await fake.seed("signals/alpha-momentum/2024-01-02.json", "not json\n");
    const result = await attesterFor(fake).attest(await signalFile());
    assert.ok(result.committed);
    assert.equal(fake.commits.length, 2);
  }));

Deno.test("attest() re-reads and retries when another writer changes the file between its read and write", () =>
  withFake(async (fake) => {
    const path = "signals/alpha-momentum/2024-01-02.json";
    let seededSha: string | null = null;
    fake.beforeAnswer = async (method) => {
      if (method === "PUT" && seededSha === null) {
        await fake.seed(path, "written by someone else\n");
        seededSha = fake.file(path)!.sha;
      }
    };
    const file = await signalFile();
    const result = await attesterFor(fake).attest(file);
    assert.ok(result.committed, JSON.stringify(result));
    const puts = fake.requests.filter((r) => r.method === "PUT");
    assert.equal(puts.length, 2);
    assert.equal(puts[0].body?.sha, undefined);
    assert.equal(puts[1].body?.sha, seededSha);
    assert.equal(JSON.parse(fake.file(path)!.text).signal_hash, file.signal_hash);
  }));

Deno.test("attest() writes to the configured branch", () =>
  withFake(async (fake) => {
    const result = await attesterFor(fake, { branch: "attestations" }).attest(await signalFile());
    assert.ok(result.committed);
    assert.equal(
      result.url,
      "https://github.com/acme/track-record/blob/attestations/signals/alpha-momentum/2024-01-02.json",
    );
    assert.ok(fake.file("signals/alpha-momentum/2024-01-02.json", "attestations"));
    assert.equal(fake.file("signals/alpha-momentum/2024-01-02.json"), null);
  }));

Deno.test("a bad token gives github_error: 401 and the token appears nowhere", () =>
  withFake(async (fake) => {
    const wrong = "ghp_wrongtoken0987654321";
    const result = await attesterFor(fake, { token: wrong }).attest(await signalFile());
    assert.equal(result.committed, false);
    assert.ok(!result.committed && result.reason.startsWith("github_error: 401"), JSON.stringify(result));
    assert.ok(!result.committed && result.reason.includes("Bad credentials"));
    assert.ok(!JSON.stringify(result).includes(wrong));
    assert.equal(fake.commits.length, 0);
  }));

Deno.test("a 500 from GitHub gives committed false at once (no retries)", () =>
  withFake(async (fake) => {
    fake.failWith = 500;
    const started = performance.now();
    const result = await attesterFor(fake).attest(await signalFile());
    assert.equal(result.committed, false);
    assert.ok(!result.committed && result.reason.startsWith("github_error: 500"), JSON.stringify(result));
    assert.equal(fake.requests.length, 1);
    assert.ok(performance.now() - started < 2000);
  }));

Deno.test("a slow GitHub gives github_timeout after timeoutMs", () =>
  withFake(async (fake) => {
    fake.delayMs = 5_000;
    const started = performance.now();
    const result = await attesterFor(fake, { timeoutMs: 100 }).attest(await signalFile());
    assert.deepEqual(result, { committed: false, reason: "github_timeout" });
    assert.ok(performance.now() - started < 2000);
  }));

Deno.test("an unreachable API gives network_error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const attester = createGithubAttester({
    token: TOKEN,
    repo: "acme/x",
    apiBaseUrl: `http://127.0.0.1:${port}`,
  });
  const result = await attester.attest(await signalFile());
  assert.equal(result.committed, false);
  assert.ok(!result.committed && result.reason.startsWith("network_error: "), JSON.stringify(result));
});

Deno.test("a file that cannot be a safe path is refused without a request", () =>
  withFake(async (fake) => {
    const attester = attesterFor(fake);
    for (
      const patch of [{ slug: "../escape" }, { slug: "a/b" }, { trade_date: "2024/01/02" }, {
        signal_hash: "ABC",
      }]
    ) {
      const result = await attester.attest({ ...(await signalFile()), ...patch });
      assert.ok(!result.committed && result.reason.startsWith("invalid_signal_file"), JSON.stringify(patch));
    }
    assert.equal(fake.requests.length, 0);
  }));

Deno.test("unconfiguredAttester reports repo_not_configured", async () => {
  assert.equal(unconfiguredAttester.configured, false);
  assert.deepEqual(await unconfiguredAttester.attest(await signalFile()), {
    committed: false,
    reason: "repo_not_configured",
  });
});

Deno.test("createGithubAttester() refuses a repository that is not owner/name", () => {
  assert.throws(() => createGithubAttester({ token: TOKEN, repo: "just-a-name" }), TypeError);
  assert.throws(() => createGithubAttester({ token: "", repo: "a/b" }), TypeError);
  assert.equal(createGithubAttester({ token: TOKEN, repo: "a/b" }).configured, true);
});

Deno.test("rawFileUrl() names the committed file on raw.githubusercontent.com, GitHub Enterprise or nowhere", () => {
  const dotcom = createGithubAttester({ token: TOKEN, repo: "acme/signals" });
  assert.equal(
    dotcom.rawFileUrl("alpha-1", "2026-05-13", "0123abcd"),
    "https://raw.githubusercontent.com/acme/signals/0123abcd/signals/alpha-1/2026-05-13.json",
    "at the commit when there is one",
  );
  assert.equal(
    dotcom.rawFileUrl("alpha-1", "2026-05-13", null),
    "https://raw.githubusercontent.com/acme/signals/HEAD/signals/alpha-1/2026-05-13.json",
    "the default branch otherwise",
  );
  const branch = createGithubAttester({ token: TOKEN, repo: "acme/signals", branch: "records/2026" });
  assert.equal(
    branch.rawFileUrl("alpha-1", "2026-05-13", null),
    "https://raw.githubusercontent.com/acme/signals/records/2026/signals/alpha-1/2026-05-13.json",
  );
  const ghe = createGithubAttester({
    token: TOKEN,
    repo: "acme/signals",
    apiBaseUrl: "https://git.example.com/api/v3",
  });
  assert.equal(
    ghe.rawFileUrl("alpha-1", "2026-05-13", "0123abcd"),
    "https://git.example.com/acme/signals/raw/0123abcd/signals/alpha-1/2026-05-13.json",
  );
  assert.equal(unconfiguredAttester.rawFileUrl("alpha-1", "2026-05-13", null), null);
});
