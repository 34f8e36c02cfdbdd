/**
 * `/app/build/chat`: document 004's copilot chat. `web/client/build_chat.js` sends each message to
 * `POST /agent/invoke` with a session id kept in sessionStorage, shows the config (`GET /agent/config/{id}`), and
 * when the agent says `config_ready` enables "Run Backtest", which posts the config to `/run_backtest` and renders
 * the report with the shared result view.
 */
import { BuildTabs } from "./build_tabs.tsx";

/** The page's content. */
export function ChatPage() {
  return (
    <>
      <BuildTabs active="chat" />
      <noscript>
        <p class="error">The chat needs JavaScript.</p>
      </noscript>
      <section class="card" aria-labelledby="chat-heading">
        <h2 id="chat-heading">
          Conversation <span class="zh" lang="zh-Hans">对话</span>
        </h2>
        <div
          id="chat-log"
          class="chat"
          role="log"
          aria-live="polite"
          aria-label="Conversation with the agent"
        >
          <p class="msg agent">
            Describe the strategy you want to test: the signal, the stocks, the period and the capital. For
            example: “I want to test a momentum strategy on large cap stocks”.
          </p>
        </div>
        <form id="chat-form">
          <label for="chat-input">Message 消息</label>
          <textarea id="chat-input" rows={3} maxlength={4000} required></textarea>
          <div class="row">
            <button type="submit" id="chat-send">Send 发送</button>
            <button type="button" class="secondary" id="chat-new">New chat 新对话</button>
          </div>
        </form>
        <p id="chat-status" role="status" class="muted"></p>
      </section>
      <section class="card" aria-labelledby="chat-config-heading">
        <h2 id="chat-config-heading">
          Configuration <span class="zh" lang="zh-Hans">配置</span>
        </h2>
        <div id="chat-config" style="white-space: pre-wrap">No configuration yet.</div>
        <button type="button" id="chat-run" disabled>Run Backtest 运行回测</button>
      </section>
      <section id="chat-result" aria-live="polite" aria-label="Backtest result"></section>
    </>
  );
}
