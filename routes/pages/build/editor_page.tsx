/**
 * `/app/build/editor`: a strategy-text editor. `web/client/build_editor.js` checks the text as it is typed
 * (`POST /api/v1/strategy-text/check`: every problem with line, column and hint), runs a backtest of it and saves
 * it (a new strategy, or a new version of the library strategy opened with `?library_id=`).
 */
import { BuildTabs } from "./build_tabs.tsx";

/** Where the strategy-text reference is served (`STRATEGY_TEXT_FORMAT_PATH` of the copilot routes). */
const FORMAT_REFERENCE = "/docs/strategy-text";

/** The strategy opened from the library, when there is one. */
export interface EditorSource {
  libraryId: string;
  name: string;
  version: number;
}

/** The page's content: `text` is what the editor opens with. */
export function EditorPage(props: { text: string; source: EditorSource | null }) {
  const src = props.source;
  return (
    <>
      <BuildTabs active="editor" />
      <noscript>
        <p class="error">Checking, running and saving need JavaScript (the API does the work).</p>
      </noscript>
      <section class="card">
        {src
          ? (
            <p id="editor-source">
              Editing <a href={`/app/library/${encodeURIComponent(src.libraryId)}`}>{src.name}</a>, version
              {" "}
              {src.version}. Saving makes version {src.version + 1}.
            </p>
          )
          : (
            <p id="editor-source" class="muted">
              A new strategy. One <code>key: value</code> line per field; rules in the expression language (
              <a href={FORMAT_REFERENCE}>format reference</a>).
            </p>
          )}
        <label for="strategy-text">Strategy text 策略文本</label>
        <textarea
          id="strategy-text"
          rows={18}
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          wrap="off"
          maxlength={20000}
          aria-describedby="editor-errors editor-cursor"
          style="font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre"
        >
          {props.text}
        </textarea>
        <p id="editor-cursor" class="muted">Line 1, column 1</p>
        <p id="editor-status" role="status" class="muted"></p>
        <div id="editor-errors" aria-live="polite"></div>
      </section>
      <section class="card" aria-labelledby="editor-actions-heading">
        <h2 id="editor-actions-heading">
          Run or save <span class="zh" lang="zh-Hans">回测或保存</span>
        </h2>
        <button type="button" id="editor-run">Run backtest 运行回测</button>
        <div class="row">
          <div>
            <label for="editor-name">Name 名称</label>
            <input id="editor-name" type="text" maxlength={200} required value={src?.name ?? ""} />
          </div>
          <button type="button" id="editor-save">
            {src ? "Save new version 保存新版本" : "Save to library 保存到策略库"}
          </button>
        </div>
        <div id="editor-action-status" aria-live="polite"></div>
      </section>
    </>
  );
}
