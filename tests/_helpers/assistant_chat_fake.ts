/**
 * A small fake `LlmProvider` for the assistant's route tests (no network, no model): it reads the four chat
 * slots from the newest message with fixed phrases, keeps them in the draft it hands back, and asks for the
 * first slot still missing. When every slot is known it answers `config_ready` with the document-004 config.
 * For `generate` it answers an SMA-crossover spec when the prompt names a ticker, else asks for the universe.
 * Also: `scriptedProvider` (fixed replies).
 */
import type { LlmProvider, TurnInput, TurnReply } from "../../domain/assistant/turn_contract.ts";

const QUESTIONS: Record<string, string> = {
  strategy: "Which signal should trigger trades (e.g. an SMA crossover 20/50, RSI 14 below 30)?",
  universe: "Which stocks: tickers, or large / mid / small caps?",
  date_range: "Which period should the test cover (e.g. 2023-01-01 to 2024-06-30)?",
  capital: "How much starting capital?",
};
const SLOTS = ["strategy", "universe", "date_range", "capital"] as const;

/** What a message says about each slot, merged into `draft`. */
function read(text: string, draft: Record<string, unknown>): Record<string, unknown> {
  const d = structuredClone(draft) as Record<string, Record<string, unknown> | unknown>;
  const t = text.toLowerCase();
  const b = (d.backtestConfig ?? {}) as Record<string, unknown>;
  const sma = t.match(/sma crossover (\d+)\s*\/\s*(\d+)/);
  if (sma) d.technicalIndicators = [{ type: "SMA_CROSSOVER", shortPeriod: +sma[1], longPeriod: +sma[2] }];
  const rsi = t.match(/rsi (\d+) below (\d+)/);
  if (rsi) d.technicalIndicators = [{ type: "RSI", period: +rsi[1], oversold: +rsi[2], overbought: 70 }];
  const cap = t.match(/\b(large|mid|small)[ -]?caps?\b/);
  if (cap) d.filters = { marketCap: [cap[1]] };
  const dates = t.match(/(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})/);
  if (dates) Object.assign(b, { startDate: dates[1], endDate: dates[2] });
  const money = t.match(/(\d+(?:\.\d+)?) million/);
  if (money) b.initialCapital = Number(money[1]) * 1e6;
  if (Object.keys(b).length) d.backtestConfig = b;
  return d as Record<string, unknown>;
}

function missingOf(d: Record<string, unknown>): string[] {
  const b = (d.backtestConfig ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  if (!Array.isArray(d.technicalIndicators)) out.push("strategy");
  if (!d.filters) out.push("universe");
  if (!b.startDate) out.push("date_range");
  if (b.initialCapital === undefined) out.push("capital");
  return SLOTS.filter((s) => out.includes(s));
}

/** The fake chat/generate provider. `calls` counts turns. */
export function fakeChatProvider(): LlmProvider & { calls: number } {
  const p = {
    name: "fake",
    model: "fake-1",
    calls: 0,
    turn(input: TurnInput): Promise<TurnReply> {
      p.calls++;
      if (input.task === "generate") {
        const ticker = input.message.match(/\bon ([A-Z]{2,6}(?:\.[A-Z]{1,2})?)\b/)?.[1];
        if (!ticker) {
          return Promise.resolve({
            kind: "needs_info",
            message: "Which stocks should it trade?",
            question: "Which stocks should it trade?",
            missing: ["universe"],
            draft: null,
            assumptions: [],
            rationale: "",
          });
        }
        return Promise.resolve({
          kind: "config_ready",
          message: "An SMA 20/50 crossover.",
          question: null,
          missing: [],
          draft: {
            name: "SMA cross",
            universe: { tickers: [ticker] },
            entry: "crosses_above(sma(close, 20), sma(close, 50))",
            exit: "crosses_below(sma(close, 20), sma(close, 50))",
            start: "2022-01-01",
            end: "2023-12-31",
          },
          assumptions: ["windows 20/50 assumed"],
          rationale: "",
        });
      }
      const draft = read(input.message, input.draft ?? {});
      const missing = missingOf(draft);
      if (missing.length) {
        return Promise.resolve({
          kind: "needs_info",
          message: `Noted. ${QUESTIONS[missing[0]]}`,
          question: QUESTIONS[missing[0]],
          missing,
          draft,
          assumptions: [],
          rationale: "",
        });
      }
      return Promise.resolve({
        kind: "config_ready",
        message: "Your configuration is ready! Click 'Run Backtest' to see results.",
        question: null,
        missing: [],
        draft,
        assumptions: ["trading costs 0.15% per side assumed"],
        rationale: "",
      });
    },
  };
  return p;
}

/** A provider answering `reply` to every turn (with its draft), counting calls; `delayMs` before each. */
export function scriptedProvider(
  reply: TurnReply,
  delay: () => Promise<void> = () => Promise.resolve(),
): LlmProvider & { calls: number } {
  const p = {
    name: "scripted",
    model: null,
    calls: 0,
    async turn(): Promise<TurnReply> {
      p.calls++;
      await delay();
      return structuredClone(reply);
    },
  };
  return p;
}
