/**
 * The characters user-supplied text may not contain: NUL and the other C0 controls (tab, line feed and carriage
 * return allowed only in multi-line text), DEL and the C1 controls, the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069: "Trojan Source" reordering) and unpaired UTF-16 surrogates. Such
 * text is refused, never silently rewritten, so what is stored is exactly what the caller sent.
 */

/** A character that text may not contain, and where it was found. */
export interface UnsafeCharacter {
  /** UTF-16 index in the string. */
  index: number;
  /** `U+XXXX`. */
  codePoint: string;
  /** What kind of character it is. */
  kind: "control character" | "bidirectional control" | "unpaired surrogate";
}

/** The message of the validation issue for `found`. */
function describeUnsafeCharacter(found: UnsafeCharacter): string {
  return `Contains a ${found.kind} (${found.codePoint}) at position ${found.index}; ` +
    "control characters, bidirectional overrides and unpaired surrogates are not allowed";
}

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first character of `text` that is not allowed, or `null` when there is none. `multiline` allows tab,
 * line feed and carriage return.
 */
export function findUnsafeCharacter(text: string, multiline: boolean): UnsafeCharacter | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (multiline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
      return { index: i, codePoint: hex(c), kind: "control character" };
    }
    if (c < 0x7f) continue;
    if (c <= 0x9f) return { index: i, codePoint: hex(c), kind: "control character" };
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return { index: i, codePoint: hex(c), kind: "bidirectional control" };
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, codePoint: hex(c), kind: "unpaired surrogate" };
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { index: i, codePoint: hex(c), kind: "unpaired surrogate" };
  }
  return null;
}

/** The issue type a refused character produces in a 422 body. */
const UNSAFE_TEXT_ISSUE = "string_unsafe_characters";

/** A zod `superRefine` callback refusing unsafe characters (for schemas that live in the domain). */
export function refuseUnsafeText(multiline = false) {
  return (
    text: string,
    ctx: { addIssue: (issue: { code: "custom"; message: string; params: Record<string, unknown> }) => void },
  ): void => {
    const found = findUnsafeCharacter(text, multiline);
    if (found) {
      ctx.addIssue({
        code: "custom",
        message: describeUnsafeCharacter(found),
        params: { type: UNSAFE_TEXT_ISSUE },
      });
    }
  };
}
