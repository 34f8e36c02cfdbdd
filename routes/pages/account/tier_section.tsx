/** The account's tier, its limits and what is used of them, every tier for comparison, and assistant usage. */
import type { AssistantUsageView } from "../../../domain/assistant/assistant_usage.ts";
import type { MyTierView } from "../../../domain/auth/identity.ts";
import type { TierInfo } from "../../../domain/auth/tiers.ts";
import { Bilingual } from "../layout.tsx";

const num = (n: number) => n.toLocaleString("en-US");

/** The tier and usage card. */
export function TierSection(
  props: { mine: MyTierView; tiers: TierInfo[]; usage: AssistantUsageView; days: number },
) {
  const { mine, tiers, usage } = props;
  return (
    <section class="card" id="tier" aria-labelledby="tier-h">
      <h2 id="tier-h">
        <Bilingual en="Tier and usage" zh="等级与用量" />
      </h2>
      <p>
        Your tier: <strong id="tier-name">{mine.name}</strong> — {mine.description}
      </p>
      <div class="table-wrap">
        <table id="tiers-table">
          <caption class="muted">Limits of every tier 各等级限额</caption>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col" class="num">Tracked strategies</th>
              <th scope="col" class="num">API keys</th>
              <th scope="col" class="num">Backtests at once</th>
              <th scope="col" class="num">Paper instances</th>
            </tr>
          </thead>
          <tbody>
            {tiers.map((t) => (
              <tr key={t.tier} aria-current={t.tier === mine.tier ? "true" : undefined}>
                <th scope="row">
                  {t.name}
                  {t.tier === mine.tier ? <span class="badge good">yours</span> : null}
                </th>
                <td class="num">{num(t.limits.max_tracked_strategies)}</td>
                <td class="num">
                  {t.tier === mine.tier
                    ? `${num(mine.usage.api_keys)} / ${num(t.limits.max_api_keys)}`
                    : num(t.limits.max_api_keys)}
                </td>
                <td class="num">{num(t.limits.max_active_backtests)}</td>
                <td class="num">{num(t.limits.max_running_instances)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Strategy assistant, last {props.days} days 策略助手用量</h3>
      <dl class="metrics" id="assistant-usage">
        <div>
          <dt>Calls</dt>
          <dd>{num(usage.totals.calls)}</dd>
        </div>
        <div>
          <dt>Offline fallbacks</dt>
          <dd>{num(usage.totals.fallbacks)}</dd>
        </div>
        <div>
          <dt>Repairs</dt>
          <dd>{num(usage.totals.repairs)}</dd>
        </div>
        <div>
          <dt>Tokens (prompt / response)</dt>
          <dd>{num(usage.totals.prompt_tokens)} / {num(usage.totals.response_tokens)}</dd>
        </div>
        <div>
          <dt>Provider</dt>
          <dd>{usage.provider}{usage.model ? ` (${usage.model})` : ""}</dd>
        </div>
        <div>
          <dt>Turn limit</dt>
          <dd>{usage.rate_limit ? usage.rate_limit.description : "none"}</dd>
        </div>
      </dl>
    </section>
  );
}
