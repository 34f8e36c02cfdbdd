/** Pages of the Build area: blueprint form with live preview, strategy-text editor, copilot chat, backtrader import. */
import { Hono } from "hono";
import { NotFoundError } from "../../domain/errors.ts";
import { STRATEGY_TEXT_EXAMPLE } from "../../domain/strategy/strategy_text_format.ts";
import { strategyDetail } from "../../domain/strategy/library_views.ts";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { BlueprintPage, blueprintPageData } from "./build/blueprint_page.tsx";
import { ChatPage } from "./build/chat_page.tsx";
import { EditorPage, type EditorSource } from "./build/editor_page.tsx";
import { ImportPage } from "./build/import_page.tsx";
import { renderNotFound, renderPage } from "./layout.tsx";
import { pageUserOf, requirePageUser } from "./page_auth.ts";

/** A library id as the API takes it (anything else is not one of mine). */
const LIBRARY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The router of these pages. */
export function buildPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/app/build", requirePageUser);
  app.use("/app/build/*", requirePageUser);

  app.get("/app/build", (c) =>
    renderPage(c, {
      title: "Build a strategy",
      zh: "构建策略",
      active: "build",
      scripts: ["client/build_blueprint.js"],
      pageData: blueprintPageData(),
      children: <BlueprintPage />,
    }));

  app.get("/app/build/editor", async (c) => {
    const libraryId = c.req.query("library_id");
    let source: EditorSource | null = null;
    let text = STRATEGY_TEXT_EXAMPLE;
    if (libraryId !== undefined) {
      if (!LIBRARY_ID.test(libraryId)) return renderNotFound(c, "This strategy");
      try {
        const s = await strategyDetail(deps.library, pageUserOf(c).principal.user.id, libraryId);
        source = { libraryId: s.id, name: s.name, version: s.latest_version };
        text = s.latest.generated_code;
      } catch (e) {
        if (e instanceof NotFoundError) return renderNotFound(c, "This strategy");
        throw e;
      }
    }
    return renderPage(c, {
      title: "Strategy editor",
      zh: "策略编辑器",
      active: "build",
      scripts: ["client/build_editor.js"],
      pageData: { library_id: source?.libraryId ?? null, name: source?.name ?? null },
      children: <EditorPage text={text} source={source} />,
    });
  });

  app.get("/app/build/chat", (c) =>
    renderPage(c, {
      title: "Strategy chat",
      zh: "策略对话",
      active: "build",
      scripts: ["client/build_chat.js"],
      children: <ChatPage />,
    }));

  app.get("/app/build/import", (c) =>
    renderPage(c, {
      title: "Import backtrader code",
      zh: "导入 backtrader 代码",
      active: "build",
      scripts: ["client/build_import.js"],
      children: <ImportPage />,
    }));

  return app;
}
