/**
 * Spec → backtrader Python (placeholder until the exporter lands: issue 14). The exported code, run in
 * backtrader 1.9 on the same CSV data, is to give the same trades and final value as Quantedge's engine.
 */
import type { StrategySpec } from "../spec.ts";

/** The strategy as backtrader Python. */
export function toBacktraderCode(spec: StrategySpec): string {
  return `# ${spec.name}: backtrader export not available yet\nimport backtrader as bt\n`;
}
