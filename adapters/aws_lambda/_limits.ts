/**
 * Lambda's response size limits. A buffered result over 6 MB is refused by the platform after the handler returned
 * (`Exceeded maximum allowed payload size (6291556 bytes)`, and API Gateway answers an opaque 502), so the adapter
 * measures the result first and answers a clear error itself; a streamed response may reach 200 MB.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 *
 * @module
 */

import type { Json } from "./_http_fields.ts";

/** The most bytes a buffered (synchronous) response may take, as JSON: 6 MiB + 100, the figure Lambda reports. */
export const BUFFERED_LIMIT = 6 * 1024 * 1024 + 100;

/** The most bytes a streamed response body may take: 200 MiB. */
export const STREAMED_LIMIT = 200 * 1024 * 1024;

/**
 * The size of a result as Lambda will receive it, in UTF-8 bytes of its JSON, or 0 when it is certainly under
 * {@linkcode BUFFERED_LIMIT} (counting is skipped for the usual small result: no character takes more than 6 bytes
 * in JSON).
 *
 * @param result The result about to be returned.
 * @returns The size, or 0 for "small".
 */
export function resultBytes(result: Json): number {
  let chars = 0;
  for (const key in result) {
    const value = result[key];
    if (typeof value === "string") chars += value.length;
    else if (typeof value === "object" && value !== null) {
      for (const name in value) chars += name.length + String((value as Json)[name]).length + 16;
    }
  }
  if (chars * 6 + 1024 < BUFFERED_LIMIT) return 0;
  return utf8Length(JSON.stringify(result));
}

function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2; // a surrogate pair: two UTF-16 units, four bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
