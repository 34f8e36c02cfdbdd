/**
 * Child process of `tests/pages/assets_without_charts_test.ts`: builds the app in a process that may read only
 * the repository (not Deno's npm cache, where the chart library's files are), and prints what the dashboard
 * answers for a page, a stylesheet and the chart module as one JSON line.
 */
import { openTestWorld } from "./test_app.ts";

const world = await openTestWorld();
const statusOf = async (path: string) => {
  const res = await world.app.request(path);
  const body = await res.text();
  return { status: res.status, body: body.slice(0, 300) };
};
const answers = {
  page: await statusOf("/app"),
  css: await statusOf("/app/assets/app.css"),
  charts: await statusOf("/app/assets/vendor/lightweight-charts.mjs"),
  logs: world.logs.filter((l) => l.level === "error").map((l) => `${l.msg} ${String(l.fields?.error ?? "")}`),
};
await world.close();
console.log(JSON.stringify(answers));
