/**
 * The Python pieces the exporter (`backtrader_export.ts`) adds to a file when its expressions need them: helper
 * functions and small indicator classes for the functions where backtrader has no indicator computing what
 * Quantedge's does. Each one follows Quantedge's TypeScript (`domain/indicators/`) step for step, so the values
 * agree to the last bit where the arithmetic is the same.
 */

const SNIPPETS: Record<string, string> = {
  NAN: `NAN = float("nan")`,
  div: `def div(a, b):
    """a / b as Quantedge divides: NaN when b is 0."""
    return a / b if b != 0 else float("nan")`,
  ne: `def ne(a, b):
    """a != b as Quantedge compares: false when either side is NaN (warm-up)."""
    return a == a and b == b and a != b`,
  TalibMACD: `class TalibMACD(bt.Indicator):
    """MACD as TA-Lib (and Quantedge) computes it. bt.ind.MACD seeds its fast EMA with the mean of the first
    \`fast\` closes; TA-Lib seeds it with the mean of the \`fast\` closes ending where the slow EMA starts, so both
    EMAs start on the same bar. EMA steps are prev + k * (x - prev), k = 2 / (n + 1); the signal is an EMA of the
    MACD line seeded with the mean of its first \`signal\` values."""
    lines = ("macd", "signal", "histo")
    params = (("fast", 12), ("slow", 26), ("signal", 9))

    def __init__(self):
        self.f, self.s = sorted((self.p.fast, self.p.slow))
        self.fast_ema = self.slow_ema = self.signal_ema = None
        self.line_values = []

    def next(self):
        n, x = len(self), self.data[0]
        if n < self.s:
            return
        if n == self.s:
            self.fast_ema, self.slow_ema = 0.0, 0.0
            for v in self.data.get(size=self.f):
                self.fast_ema += v
            for v in self.data.get(size=self.s):
                self.slow_ema += v
            self.fast_ema /= self.f
            self.slow_ema /= self.s
        else:
            self.fast_ema = self.fast_ema + 2 / (self.f + 1) * (x - self.fast_ema)
            self.slow_ema = self.slow_ema + 2 / (self.s + 1) * (x - self.slow_ema)
        macd = self.fast_ema - self.slow_ema
        self.lines.macd[0] = macd
        k = self.p.signal
        if self.signal_ema is None:
            self.line_values.append(macd)
            if len(self.line_values) < k:
                return
            self.signal_ema = 0.0
            for v in self.line_values:
                self.signal_ema += v
            self.signal_ema /= k
        else:
            self.signal_ema = self.signal_ema + 2 / (k + 1) * (macd - self.signal_ema)
        self.lines.signal[0] = self.signal_ema
        self.lines.histo[0] = macd - self.signal_ema`,
  QuantedgeCrossOver: `class QuantedgeCrossOver(bt.Indicator):
    """bt.ind.CrossOver's values (1 crossing up, -1 crossing down, else 0) with Quantedge's rule at ties: up when
    a[-1] <= b[-1] and a[0] > b[0], down when a[-1] >= b[-1] and a[0] < b[0]. bt.ind.CrossOver looks back past a
    bar where the two are equal to the last bar where they differed. \`level\` crosses a number instead of a second
    series. The first bar where both have values has no previous bar: no crossing."""
    lines = ("crossover",)
    params = (("level", None),)

    def __init__(self):
        self.addminperiod(2)

    def next(self):
        a0, a1 = self.data0[0], self.data0[-1]
        if self.p.level is None:
            b0, b1 = self.data1[0], self.data1[-1]
        else:
            b0 = b1 = self.p.level
        if a1 <= b1 and a0 > b0:
            self.lines.crossover[0] = 1.0
        elif a1 >= b1 and a0 < b0:
            self.lines.crossover[0] = -1.0
        else:
            self.lines.crossover[0] = 0.0`,
  ZScore: `class ZScore(bt.Indicator):
    """(x - SMA(n)) / population standard deviation(n); NaN when the deviation is 0."""
    lines = ("zscore",)
    params = (("period", 20),)

    def __init__(self):
        self.addminperiod(self.p.period)
        self.mean = bt.ind.SMA(self.data, period=self.p.period)
        self.sd = bt.ind.StdDev(self.data, period=self.p.period)

    def next(self):
        sd = self.sd[0]
        self.lines.zscore[0] = (self.data[0] - self.mean[0]) / sd if sd > 0 else float("nan")`,
  OnBalanceVolume: `class OnBalanceVolume(bt.Indicator):
    """OBV (TA-Lib): the first bar's volume, then plus or minus each bar's volume as the close rises or falls."""
    lines = ("obv",)

    def next(self):
        d = self.data
        if len(self) == 1:
            self.lines.obv[0] = d.volume[0]
        elif d.close[0] > d.close[-1]:
            self.lines.obv[0] = self.lines.obv[-1] + d.volume[0]
        elif d.close[0] < d.close[-1]:
            self.lines.obv[0] = self.lines.obv[-1] + -d.volume[0]
        else:
            self.lines.obv[0] = self.lines.obv[-1] + 0`,
  RollingVWAP: `class RollingVWAP(bt.Indicator):
    """VWAP of the last \`period\` bars with the typical price (high + low + close) / 3; NaN without volume."""
    lines = ("vwap",)
    params = (("period", 20),)

    def __init__(self):
        self.addminperiod(self.p.period)

    def next(self):
        d, pv, v = self.data, 0.0, 0.0
        for j in range(-self.p.period + 1, 1):
            pv += (d.high[j] + d.low[j] + d.close[j]) / 3 * d.volume[j]
            v += d.volume[j]
        self.lines.vwap[0] = pv / v if v > 0 else float("nan")`,
  VolumePriceTrend: `class VolumePriceTrend(bt.Indicator):
    """VPT: 0 on the first bar, then plus volume * (close - previous close) / previous close."""
    lines = ("vpt",)

    def next(self):
        d = self.data
        if len(self) == 1:
            self.lines.vpt[0] = 0.0
        else:
            self.lines.vpt[0] = self.lines.vpt[-1] + (d.volume[0] * (d.close[0] - d.close[-1])) / d.close[-1]`,
  TsRank: `class TsRank(bt.Indicator):
    """Rank of today's value among the last \`period\`, in [0, 1]: (below + (equal - 1) / 2) / (period - 1)."""
    lines = ("rank",)
    params = (("period", 20),)

    def __init__(self):
        self.addminperiod(self.p.period)

    def next(self):
        window, x = self.data.get(size=self.p.period), self.data[0]
        if len(window) < self.p.period or self.p.period < 2 or any(v != v for v in window):
            return
        below = sum(1 for v in window if v < x)
        equal = sum(1 for v in window if v == x)
        self.lines.rank[0] = (below + (equal - 1) / 2) / (self.p.period - 1)`,
  Correlation: `class Correlation(bt.Indicator):
    """Pearson correlation of two series over \`period\` bars; NaN when either is constant."""
    lines = ("correlation",)
    params = (("period", 20),)

    def __init__(self):
        self.addminperiod(self.p.period)

    def next(self):
        n = self.p.period
        xs, ys = self.data0.get(size=n), self.data1.get(size=n)
        if len(xs) < n or len(ys) < n:
            return
        sx = sy = 0.0
        for a, b in zip(xs, ys):
            sx += a
            sy += b
        mx, my = sx / n, sy / n
        sxy = sxx = syy = 0.0
        for a, b in zip(xs, ys):
            dx, dy = a - mx, b - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        self.lines.correlation[0] = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")`,
  Abs: `class Abs(bt.Indicator):
    """Absolute value."""
    lines = ("abs",)

    def next(self):
        self.lines.abs[0] = abs(self.data[0])`,
  Log: `class Log(bt.Indicator):
    """Natural logarithm; NaN for a value that is not positive."""
    lines = ("log",)

    def next(self):
        x = self.data[0]
        self.lines.log[0] = math.log(x) if x > 0 else float("nan")`,
  CrossSectionalRank: `class CrossSectionalRank(bt.Indicator):
    """rank() is cross-sectional (a rank across the universe on each day): Quantedge refuses it in a rule evaluated
    on one symbol, and so does this export."""
    lines = ("rank",)

    def __init__(self):
        raise ValueError("rank() is cross-sectional: it cannot be evaluated on one symbol")`,
};

/** Python order of the snippets (helpers before the classes that might use them). */
const ORDER = [
  "NAN",
  "div",
  "ne",
  "TalibMACD",
  "QuantedgeCrossOver",
  "ZScore",
  "OnBalanceVolume",
  "RollingVWAP",
  "VolumePriceTrend",
  "TsRank",
  "Correlation",
  "Abs",
  "Log",
  "CrossSectionalRank",
];

/** The class names the snippets define. */
export const PYTHON_CLASS_NAMES: readonly string[] = ORDER.filter((k) => /^[A-Z]/.test(k) && k !== "NAN");

/** The snippets named in `needs`, in a fixed order, separated as Python top-level blocks. */
export function pythonSnippets(needs: ReadonlySet<string>): string[] {
  return ORDER.filter((k) => needs.has(k)).map((k) => SNIPPETS[k]);
}
