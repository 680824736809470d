/**
 * How the queue backends without message attributes (Azure Queue Storage, Redis) carry a body and its content type:
 * one JSON envelope, `{"slrs-content-type": "json" | "text" | "bytes", "body": …}`, the body as JSON, as the string,
 * or as base64.
 *
 * @module
 */

import type { QueueContentType } from "../src/bindings.ts";
import { fromBase64, toBase64 } from "./_bytes.ts";

/** The envelope's field that names the content type; its presence marks a message an slrs producer sent. */
export const QUEUE_CONTENT_TYPE_FIELD = "slrs-content-type";

/** The envelope of one message. */
export interface QueueEnvelope {
  /** How `body` is encoded. */
  [QUEUE_CONTENT_TYPE_FIELD]: QueueContentType;
  /** The body: any JSON value, a string, or base64 bytes. */
  body: unknown;
}

/**
 * The envelope of a body as JSON text, or the reason it cannot travel with that content type.
 *
 * @param body The body.
 * @param type The content type asked for; bytes default to `bytes`, everything else to `json`.
 * @returns The envelope's JSON, or `{ refused }`.
 */
export function encodeQueueBody(
  body: unknown,
  type: QueueContentType | undefined,
): { json: string } | { refused: string } {
  const contentType = type ?? (body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? "bytes" : "json");
  let encoded: unknown;
  if (contentType === "json") {
    const json = JSON.stringify(body);
    if (json === undefined) return { refused: `the body cannot be sent as json: ${describe(body)}` };
    encoded = JSON.parse(json);
  } else if (contentType === "text") {
    if (typeof body !== "string") return { refused: `the body cannot be sent as text: ${describe(body)}` };
    encoded = body;
  } else if (contentType === "bytes") {
    if (body instanceof ArrayBuffer) encoded = toBase64(new Uint8Array(body));
    else if (ArrayBuffer.isView(body)) {
      encoded = toBase64(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    } else return { refused: `the body cannot be sent as bytes: ${describe(body)}` };
  } else {
    return { refused: `the content type ${JSON.stringify(type)} is not one of json, text, bytes` };
  }
  return { json: JSON.stringify({ [QUEUE_CONTENT_TYPE_FIELD]: contentType, body: encoded }) };
}

/**
 * The body a producer sent, from its envelope (as JSON text, or as the object a runtime already parsed it into). A
 * message without an envelope (sent by something else) comes back as it is.
 *
 * @param message The message as delivered.
 * @returns The body.
 *
 * @example
 * ```ts
 * import { decodeQueueBody } from "./_queue_messages.ts";
 *
 * console.assert(decodeQueueBody('{"slrs-content-type":"text","body":"hi"}') === "hi");
 * ```
 */
export function decodeQueueBody(message: unknown): unknown {
  let envelope = message;
  if (typeof message === "string") {
    try {
      envelope = JSON.parse(message);
    } catch {
      return message;
    }
  }
  if (!isEnvelope(envelope)) return message;
  const { [QUEUE_CONTENT_TYPE_FIELD]: type, body } = envelope as QueueEnvelope;
  if (type === "bytes" && typeof body === "string") return fromBase64(body);
  return body;
}

/**
 * Whether a parsed message is an slrs envelope.
 *
 * @param value The parsed message.
 * @returns Whether it names its content type.
 */
export function isEnvelope(value: unknown): value is QueueEnvelope {
  return typeof value === "object" && value !== null && QUEUE_CONTENT_TYPE_FIELD in value;
}

function describe(body: unknown): string {
  if (body === undefined) return "undefined";
  if (typeof body === "function") return "a function";
  if (typeof body === "bigint") return "a bigint";
  return typeof body === "object" && body !== null ? `a ${body.constructor?.name ?? "object"}` : typeof body;
}
