/**
 * The page shell every dashboard page renders into: `<head>` (viewport, stylesheet, module scripts), a header
 * with the navigation (English with the Chinese label beside it), the main landmark, and a footer with the
 * chart library's attribution. `pageData` is embedded as JSON in `<script type="application/json">` (every `<`
 * escaped, so no text in it can close the element) for the page's script to read with `readPageData()`.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { AppEnv, PageUser } from "../app_env.ts";
import { fmtTime } from "./format.ts";
import { assetUrl } from "./static_assets.ts";

/** The sections of the navigation. */
export type NavKey =
  | "home"
  | "build"
  | "backtests"
  | "library"
  | "leaderboard"
  | "records"
  | "tracked"
  | "factors"
  | "account";

const NAV: { key: NavKey; href: string; en: string; zh: string; signedIn: boolean }[] = [
  { key: "build", href: "/app/build", en: "Build", zh: "构建", signedIn: true },
  { key: "backtests", href: "/app/backtests", en: "Backtests", zh: "回测", signedIn: true },
  { key: "library", href: "/app/library", en: "Library", zh: "策略库", signedIn: true },
  { key: "leaderboard", href: "/app/leaderboard", en: "Leaderboard", zh: "排行榜", signedIn: false },
  { key: "records", href: "/app/records", en: "Track records", zh: "业绩记录", signedIn: false },
  { key: "tracked", href: "/app/tracked", en: "My strategies", zh: "我的策略", signedIn: true },
  { key: "factors", href: "/app/factors", en: "Factors", zh: "因子", signedIn: true },
  { key: "account", href: "/app/account", en: "Account", zh: "账户", signedIn: true },
];

/** What a page passes to the shell. */
export interface PageProps {
  /** The `<title>` and the main heading's English text. */
  title: string;
  /** The heading's Chinese label, shown beside the English one. */
  zh?: string;
  user: PageUser | null;
  active?: NavKey;
  /** Module scripts under `web/` (e.g. `client/backtest_result.js`), loaded after the content. */
  scripts?: string[];
  /** Data for the page's script (read with `readPageData()` from `client/dom.js`). */
  pageData?: unknown;
  children?: Child;
}

/** JSON safe inside a `<script>` element: `<`, `>`, `&` and the line separators escaped. */
function scriptJson(data: unknown): string {
  return JSON.stringify(data ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A heading with its Chinese label. */
export function Bilingual(props: { en: string; zh?: string }) {
  return (
    <>
      {props.en}
      {props.zh ? <span class="zh" lang="zh-Hans">{props.zh}</span> : null}
    </>
  );
}

/** An ISO instant in a `<time datetime>` element, as `YYYY-MM-DD HH:MM UTC` (`fmtTime`); a muted "—" for null. */
export function Time(props: { iso: string | null | undefined }) {
  if (!props.iso) return <span class="muted">—</span>;
  return <time datetime={props.iso}>{fmtTime(props.iso)}</time>;
}

/** The whole HTML document of one page. */
export function Page(props: PageProps) {
  const nav = NAV.filter((n) => props.user !== null || !n.signedIn);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{props.title} · Quantedge</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl("app.css")} />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/app">Quantedge</a>
          <nav aria-label="Main">
            <ul>
              {nav.map((n) => (
                <li key={n.key}>
                  <a href={n.href} aria-current={props.active === n.key ? "page" : undefined}>
                    {n.en}
                    <span class="zh" lang="zh-Hans">{n.zh}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            {props.user
              ? (
                <form method="post" action="/app/sign-out">
                  <span class="email">{props.user.view.nickname ?? props.user.view.email}</span>
                  <button type="submit" class="link">Sign out</button>
                </form>
              )
              : <a href="/app/sign-in">Sign in</a>}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          <h1>
            <Bilingual en={props.title} zh={props.zh} />
          </h1>
          {props.children}
        </main>
        <footer>
          <p>
            Quantedge · <a href="/docs">API</a> · Charts by{" "}
            <a href="https://www.tradingview.com/" rel="noopener noreferrer">TradingView</a>{" "}
            Lightweight Charts™ (Apache-2.0)
          </p>
        </footer>
        {props.pageData !== undefined
          ? <script type="application/json" id="page-data">{raw(scriptJson(props.pageData))}</script>
          : null}
        {(props.scripts ?? []).map((s) => <script key={s} type="module" src={assetUrl(s)}></script>)}
      </body>
    </html>
  );
}

/** Renders a page as the answer (status 200 unless given); `Cache-Control: private, no-store` when signed in. */
export function renderPage(c: Context<AppEnv>, props: Omit<PageProps, "user">, status = 200) {
  // A page shown to a signed-in user is theirs alone: no shared cache keeps it, no back button shows it later.
  if (c.get("pageUser")) c.header("Cache-Control", "private, no-store");
  return c.html(
    "<!doctype html>" + (<Page {...props} user={c.get("pageUser") ?? null} />).toString(),
    status as 200,
  );
}

/** A "not found" page (404) in the shell: unknown ids and other users' objects look the same. */
export function renderNotFound(c: Context<AppEnv>, what = "This page") {
  return renderPage(c, {
    title: "Not found",
    zh: "未找到",
    children: (
      <p>
        {what} does not exist or is not yours. <a href="/app">Back to the start</a>
      </p>
    ),
  }, 404);
}
