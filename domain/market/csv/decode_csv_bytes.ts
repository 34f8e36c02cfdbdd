/**
 * Turns the bytes of an uploaded CSV into text. A byte-order mark decides (UTF-8, or the UTF-16 of Excel's
 * "Unicode text" export); otherwise the declared charset (e.g. `text/csv; charset=gbk`) is used strictly; with
 * none, UTF-8, and when the bytes are not UTF-8, GB18030 (which covers GBK exports of Chinese tools). Guessing
 * wrong cannot alter numbers: dates and prices are ASCII in all of these, and anything else fails the parse.
 */
import { ValidationError } from "../../errors.ts";

/** Decodes CSV bytes; throws `ValidationError` for an unknown charset or bytes invalid in the declared one. */
export function decodeCsvBytes(bytes: Uint8Array, charset?: string | null): string {
  let label = charset?.trim().toLowerCase() || null;
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    (label = "utf-8"), (body = bytes.subarray(3));
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) (label = "utf-16le"), (body = bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) (label = "utf-16be"), (body = bytes.subarray(2));
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label ?? "utf-8", { fatal: true, ignoreBOM: true });
  } catch {
    throw new ValidationError(`Unknown charset "${label}"`, [], "csv_charset_unknown");
  }
  try {
    return decoder.decode(body);
  } catch {
    if (label === null) return new TextDecoder("gb18030").decode(body);
    throw new ValidationError(
      `The file is not valid ${decoder.encoding} text; declare its encoding, e.g. text/csv; charset=gbk`,
      [],
      "csv_encoding_invalid",
    );
  }
}
