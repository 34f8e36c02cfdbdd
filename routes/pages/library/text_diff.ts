/**
 * Which lines of two texts differ, for showing them side by side: a line is unchanged when it belongs to a
 * longest common subsequence of the two line lists. The table is bounded (`MAX_DIFF_CELLS`); past it a line is
 * unchanged when the other text holds an equal line not yet matched.
 */

/** Most cells of the LCS table (lines of A × lines of B). */
const MAX_DIFF_CELLS = 250_000;

/** One line of a side and whether it differs from the other side. */
export interface DiffLine {
  text: string;
  changed: boolean;
}

/** Marks the lines of `a` and `b` that the other text does not have in the same order. */
export function lineDiff(a: string, b: string): { a: DiffLine[]; b: DiffLine[] } {
  const la = a.split("\n"), lb = b.split("\n");
  if (la.length * lb.length > MAX_DIFF_CELLS) return { a: unmatched(la, lb), b: unmatched(lb, la) };
  const n = la.length, m = lb.length;
  // lcs[i][j]: the LCS length of la[i..] and lb[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[at(i, j)] = la[i] === lb[j]
        ? lcs[at(i + 1, j + 1)] + 1
        : Math.max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
    }
  }
  const keepA = new Array<boolean>(n).fill(false), keepB = new Array<boolean>(m).fill(false);
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (la[i] === lb[j]) {
      keepA[i++] = true;
      keepB[j++] = true;
    } else if (lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) i++;
    else j++;
  }
  return {
    a: la.map((text, k) => ({ text, changed: !keepA[k] })),
    b: lb.map((text, k) => ({ text, changed: !keepB[k] })),
  };
}

/** Lines of `mine` with no equal, not yet matched line in `other`. */
function unmatched(mine: string[], other: string[]): DiffLine[] {
  const left = new Map<string, number>();
  for (const line of other) left.set(line, (left.get(line) ?? 0) + 1);
  return mine.map((text) => {
    const k = left.get(text) ?? 0;
    if (k > 0) left.set(text, k - 1);
    return { text, changed: k === 0 };
  });
}
