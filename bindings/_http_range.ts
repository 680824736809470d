/**
 * A {@linkcode BucketRange} as an HTTP `Range` header, and the range a `206` answer's `Content-Range` covers, for
 * the bucket backends whose service reads objects over plain HTTP ranges.
 *
 * @module
 */

import type { BucketRange } from "../src/bindings.ts";

/**
 * The `Range` header of a range, or the reason it is invalid.
 *
 * @param range The range asked for.
 * @returns `{ header }`, or `{ invalid }` saying what is wrong.
 */
export function rangeHeader(range: BucketRange): { header: string } | { invalid: string } {
  const whole = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0);
  if ("suffix" in range) {
    if (!whole(range.suffix) || range.suffix === 0) return { invalid: "suffix must be a whole number above 0" };
    return { header: `bytes=-${range.suffix}` };
  }
  if (!whole(range.offset) || !whole(range.length)) return { invalid: "offset and length must be whole numbers" };
  const offset = range.offset ?? 0;
  if (range.length === undefined) return { header: `bytes=${offset}-` };
  if (range.length === 0) return { invalid: "length must be above 0" };
  return { header: `bytes=${offset}-${offset + range.length - 1}` };
}

/**
 * The range a `Content-Range: bytes <first>-<last>/<size>` header covers.
 *
 * @param header The header, if any.
 * @returns The range as offset and length, or `undefined`.
 */
export function contentRange(header: string | null): { offset: number; length: number } | undefined {
  const match = header?.match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  if (!match) return undefined;
  return { offset: Number(match[1]), length: Number(match[2]) - Number(match[1]) + 1 };
}
