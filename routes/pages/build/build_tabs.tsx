/** The Build area's sub-navigation: blueprint form, text editor, chat, backtrader import. */

/** One of the Build pages. */
export type BuildTab = "blueprint" | "editor" | "chat" | "import";

const TABS: { key: BuildTab; href: string; en: string; zh: string }[] = [
  { key: "blueprint", href: "/app/build", en: "Blueprint", zh: "可视化" },
  { key: "editor", href: "/app/build/editor", en: "Text editor", zh: "文本编辑" },
  { key: "chat", href: "/app/build/chat", en: "Chat", zh: "对话" },
  { key: "import", href: "/app/build/import", en: "Import backtrader", zh: "导入" },
];

/** The links between the Build pages, the current one marked. */
export function BuildTabs(props: { active: BuildTab }) {
  return (
    <nav aria-label="Build" class="build-tabs">
      <ul class="row" style="list-style: none; padding: 0; margin: 0 0 1rem">
        {TABS.map((t) => (
          <li>
            <a href={t.href} aria-current={props.active === t.key ? "page" : undefined}>
              {t.en}
              <span class="zh" lang="zh-Hans">{t.zh}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
