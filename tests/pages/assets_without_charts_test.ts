/**
 * When the chart library's files cannot be read (a process that may read only the repository), the dashboard
 * still serves its pages and its own assets, the chart module answers 503 saying why, and the start-up logs it.
 */
import assert from "node:assert/strict";

Deno.test("dashboard without a readable chart library: pages and assets served, the chart module 503, logged", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read=.", "--allow-env", "--allow-net=127.0.0.1", "tests/_helpers/assets_child.ts"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const answers = JSON.parse(lines.at(-1)!);
  assert.equal(answers.page.status, 200);
  assert.equal(answers.css.status, 200);
  assert.match(answers.css.body, /--fg/);
  assert.equal(answers.charts.status, 503);
  assert.match(answers.charts.body, /chart library could not be read/);
  assert.ok(
    answers.logs.some((l: string) => /dashboard assets could not be read.*chart library/.test(l)),
    answers.logs.join("\n"),
  );
});
