/**
 * What every backend shares, whatever its service: the environment record it reads, and bytes in and out of base64,
 * streams and text.
 *
 * @module
 */

/** The environment a backend reads its configuration from: `process.env`, `Deno.env.toObject()`, or a test's own. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/**
 * Bytes to base64, in chunks so a large value does not overflow the argument list of `String.fromCharCode`.
 *
 * @param bytes The bytes.
 * @returns Their base64 text.
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Base64 to bytes.
 *
 * @param text Base64 text.
 * @returns The bytes.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Any body a binding accepts, as bytes: text as UTF-8, views copied out of their buffer, streams read up to `max`
 * bytes (past it the read stops and `undefined` comes back, so an oversized stream is never buffered whole).
 *
 * @param value The value.
 * @param max The most bytes to read from a stream.
 * @returns The bytes, or `undefined` when a stream held more than `max`.
 */
export async function bytesOf(
  value: string | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | Blob | null,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (value === null) return new Uint8Array();
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer);
  }
  if (value instanceof Blob) return new Uint8Array(await value.arrayBuffer());
  return await readAtMost(value, max);
}

/**
 * Reads a stream into one buffer, stopping (and cancelling the stream) once it passes `max` bytes.
 *
 * @param stream The stream.
 * @param max The most bytes wanted.
 * @returns The bytes, or `undefined` when the stream held more than `max`.
 */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

/**
 * Joins chunks into one buffer.
 *
 * @param chunks The chunks.
 * @param size Their total length.
 * @returns One buffer.
 */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * The UTF-8 length of a string.
 *
 * @param text The string.
 * @returns Its length in UTF-8 bytes, as DynamoDB, S3 and SQS count it.
 */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
