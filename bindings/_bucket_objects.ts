/**
 * What the bucket backends build their answers from: an object's description with `writeHttpMetadata`, the same
 * with a streamed body, and the parts a streamed upload is cut into.
 *
 * @module
 */

import type { BucketHttpMetadata, BucketObject, BucketObjectBody, BucketRange } from "../src/bindings.ts";
import { concat } from "./_bytes.ts";

/** The string fields of {@linkcode BucketHttpMetadata} and the header each one is. */
export const HTTP_METADATA_HEADERS = {
  contentType: "content-type",
  contentLanguage: "content-language",
  contentDisposition: "content-disposition",
  contentEncoding: "content-encoding",
  cacheControl: "cache-control",
} as const;

/** What an object's description is made of. */
export interface ObjectFields {
  /** The key. */
  key: string;
  /** The whole object's size. */
  size: number;
  /** The entity tag, without quotes. */
  etag: string;
  /** When it was written. */
  uploaded: Date;
  /** Its HTTP metadata. */
  httpMetadata?: BucketHttpMetadata;
  /** Its custom metadata. */
  customMetadata?: Record<string, string>;
  /** The range a body covers. */
  range?: BucketRange;
}

/**
 * An object's description, with `httpEtag` and `writeHttpMetadata`.
 *
 * @param fields What it is made of.
 * @returns The description.
 */
export function bucketObject(fields: ObjectFields): BucketObject {
  return {
    ...fields,
    httpEtag: `"${fields.etag}"`,
    writeHttpMetadata(headers: Headers): void {
      const http = fields.httpMetadata ?? {};
      for (const [field, header] of Object.entries(HTTP_METADATA_HEADERS)) {
        const value = http[field as keyof typeof HTTP_METADATA_HEADERS];
        if (value !== undefined) headers.set(header, value);
      }
      if (http.cacheExpiry) headers.set("expires", http.cacheExpiry.toUTCString());
    },
  };
}

/**
 * A description with its body, read once through whichever reader the caller picks.
 *
 * @param described The description.
 * @param body The body stream.
 * @returns The object with its body.
 */
export function withBody(described: BucketObject, body: ReadableStream<Uint8Array>): BucketObjectBody {
  const reader = new Response(body);
  return Object.defineProperties(described, {
    body: { value: body, enumerable: true },
    bodyUsed: { get: () => reader.bodyUsed, enumerable: true },
    arrayBuffer: { value: () => reader.arrayBuffer() },
    text: { value: () => reader.text() },
    json: { value: () => reader.json() },
    blob: { value: () => reader.blob() },
  }) as BucketObjectBody;
}

/**
 * Reads the next part of a stream: at least `size` bytes (a chunk may straddle the boundary), or what is left.
 *
 * @param reader The stream's reader.
 * @param size The part size.
 * @returns The part, and whether the stream ended.
 */
export async function readPart(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  size: number,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < size) {
    const { done, value } = await reader.read();
    if (done) return { bytes: concat(chunks, length), done: true };
    chunks.push(value);
    length += value.byteLength;
  }
  return { bytes: concat(chunks, length), done: false };
}

/**
 * Removes the quotes around an entity tag.
 *
 * @param etag The tag as a header carries it.
 * @returns The tag.
 */
export function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}
