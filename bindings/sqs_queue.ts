/**
 * A {@linkcode QueueProducer} on Amazon SQS over SigV4-signed `fetch`, with SQS's query protocol (the one every SQS
 * endpoint and local server such as sqslite answers).
 *
 * Each message carries its encoding in the message attribute `slrs-content-type` (`json`, `text` or `bytes`; bytes
 * travel as base64), so {@linkcode decodeSqsMessage} gives a consumer back the body that was sent. `sendBatch` sends
 * groups of 10, SQS's most per request; a group SQS partly refuses is a {@linkcode BindingError} naming the messages.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_QUEUE_URL` (the queue), `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (Lambda sets those four) and optionally
 * `AWS_ENDPOINT_URL_SQS` (a local server).
 *
 * @example Send to a local SQS
 * ```ts ignore
 * import { sqsQueue } from "./sqs_queue.ts";
 *
 * const emails = sqsQueue("EMAILS", {
 *   SLRS_EMAILS_QUEUE_URL: "http://localhost:4576/queues/emails",
 *   AWS_REGION: "us-east-1",
 *   AWS_ACCESS_KEY_ID: "local",
 *   AWS_SECRET_ACCESS_KEY: "local",
 *   AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:4576",
 * });
 * await emails.send({ to: "ada@example.com" });
 * ```
 *
 * @module
 */

import {
  BindingError,
  type QueueContentType,
  type QueueProducer,
  type QueueSendOptions,
  type QueueSendRequest,
} from "../src/bindings.ts";
import {
  type AwsConfig,
  awsConfig,
  type AwsResponse,
  type AwsTarget,
  type AwsTransport,
  type EnvRecord,
  fetchTransport,
  fromBase64,
  required,
  send,
  throttledStatus,
  toBase64,
  utf8Length,
} from "./_aws.ts";
import { blocks, field } from "./_xml.ts";
import { sqsQueueVariable } from "../src/binding_variables.ts";

export type { AwsTransport, EnvRecord };
export type * from "../src/bindings.ts";

/** The message attribute that carries a body's encoding. */
export const SQS_CONTENT_TYPE_ATTRIBUTE = "slrs-content-type";

/**
 * SQS's limits, checked before a request: a delay of at most 900 s, 10 messages per batch request, and 256 KiB per
 * message and per batch request (body and attributes; the queue's default `MaximumMessageSize`).
 */
export const SQS_QUEUE_LIMITS: {
  readonly maxDelaySeconds: number;
  readonly batchMessages: number;
  readonly messageBytes: number;
} = { maxDelaySeconds: 900, batchMessages: 10, messageBytes: 256 * 1024 };

/**
 * A queue producer over SQS; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `EMAILS`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests: `fetch` unless given (the Node entry `build` generates calls
 *   {@linkcode sqsQueueOver} with `nodeHttpTransport` instead, see `node_http_transport.ts`).
 * @returns The producer.
 *
 * @example Send a message
 * ```ts ignore
 * import { sqsQueue } from "./sqs_queue.ts";
 *
 * await sqsQueue("EMAILS", process.env).send({ to: "ada@example.com" }, { delaySeconds: 60 });
 * ```
 */
export function sqsQueue(binding: string, env: EnvRecord, transport: AwsTransport = fetchTransport): QueueProducer {
  return sqsQueueOver(binding, env, transport);
}

/**
 * {@linkcode sqsQueue} over the transport given, which has no default: the entry `build` writes for Node passes
 * `nodeHttpTransport` to this one, so that the `fetch` transport, which that bundle never uses, stays out of it.
 *
 * @param binding The binding's name, e.g. `EMAILS`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests.
 * @returns A queue producer.
 *
 * @example On Node, over node:http
 * ```ts ignore
 * import { sqsQueueOver } from "./sqs_queue.ts";
 * import { viaNodeHttp } from "./node_http_transport.ts";
 *
 * const binding = viaNodeHttp(sqsQueueOver)("EMAILS", process.env);
 * ```
 */
export function sqsQueueOver(binding: string, env: EnvRecord, transport: AwsTransport): QueueProducer {
  return new SqsQueue(binding, env, transport);
}

/** An SQS message as a Lambda `SQSRecord` holds it (the fields {@linkcode decodeSqsMessage} reads). */
export interface SqsMessageLike {
  /** The body as SQS delivered it. */
  body: string;
  /** The message attributes, in the record's lowercase shape. */
  messageAttributes?: Record<string, { stringValue?: string | undefined } | undefined>;
}

/**
 * The body a producer sent, from the message SQS delivered: parsed JSON, text, or bytes. A message without the
 * encoding attribute (sent by something else) comes back as its text.
 *
 * @param message The delivered message.
 * @returns The body.
 *
 * @example Decode a Lambda SQS record
 * ```ts
 * import { decodeSqsMessage } from "./sqs_queue.ts";
 *
 * const body = decodeSqsMessage({
 *   body: '{"to":"ada@example.com"}',
 *   messageAttributes: { "slrs-content-type": { stringValue: "json" } },
 * });
 * console.assert((body as { to: string }).to === "ada@example.com");
 * ```
 */
export function decodeSqsMessage(message: SqsMessageLike): unknown {
  const type = message.messageAttributes?.[SQS_CONTENT_TYPE_ATTRIBUTE]?.stringValue;
  if (type === "json") return JSON.parse(message.body);
  if (type === "bytes") return fromBase64(message.body);
  return message.body;
}

interface Encoded {
  body: string;
  contentType: QueueContentType;
  delaySeconds: number | undefined;
  bytes: number;
}

class SqsQueue implements QueueProducer {
  readonly #target: AwsTarget;
  readonly #env: EnvRecord;
  readonly #transport: AwsTransport;
  #config: (AwsConfig & { queueUrl: string }) | undefined;

  constructor(binding: string, env: EnvRecord, transport: AwsTransport) {
    this.#target = { kind: "queue", backend: "sqs", binding };
    this.#env = env;
    this.#transport = transport;
  }

  async send(body: unknown, options: QueueSendOptions = {}): Promise<void> {
    const message = this.#encode("send", body, options.contentType, options.delaySeconds);
    const params = new URLSearchParams({ Action: "SendMessage" });
    addMessage(params, "", message);
    await this.#call("send", params);
  }

  async sendBatch(messages: Iterable<QueueSendRequest>): Promise<void> {
    const encoded = [...messages].map((m) => this.#encode("sendBatch", m.body, m.contentType, m.delaySeconds));
    for (const group of groups(encoded)) {
      const params = new URLSearchParams({ Action: "SendMessageBatch" });
      group.forEach((message, i) => {
        const prefix = `SendMessageBatchRequestEntry.${i + 1}.`;
        params.set(`${prefix}Id`, String(i));
        addMessage(params, prefix, message);
      });
      const xml = await this.#call("sendBatch", params);
      const failed = blocks(xml, "BatchResultErrorEntry");
      if (failed.length > 0) {
        const first = failed[0]!;
        throw this.#error(
          "sendBatch",
          `SQS refused ${failed.length} of ${group.length} messages of a batch; the first (entry ${
            field(first, "Id")
          }): ${field(first, "Code")} ${field(first, "Message") ?? ""}`.trimEnd(),
          xml,
        );
      }
    }
  }

  #encode(operation: string, body: unknown, type: QueueContentType | undefined, delay: number | undefined): Encoded {
    const contentType = type ?? (body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? "bytes" : "json");
    let text: string | undefined;
    if (contentType === "json") text = JSON.stringify(body);
    else if (contentType === "text") text = typeof body === "string" ? body : undefined;
    else if (contentType === "bytes") text = bytesBody(body);
    else throw this.#error(operation, `the content type ${JSON.stringify(type)} is not one of json, text, bytes`);
    if (text === undefined) {
      throw this.#error(operation, `the body cannot be sent as ${contentType}: ${describe(body)}`);
    }
    // SQS bodies are XML character data: most control characters cannot travel as text (JSON escapes them itself).
    // deno-lint-ignore no-control-regex
    if (contentType === "text" && /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(text)) {
      throw this.#error(operation, "the text holds control characters SQS cannot carry; send it as json or bytes");
    }
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > SQS_QUEUE_LIMITS.maxDelaySeconds)) {
      throw this.#error(
        operation,
        `delaySeconds is ${delay}; SQS delays a message by a whole number of seconds from 0 to ${SQS_QUEUE_LIMITS.maxDelaySeconds}`,
      );
    }
    const bytes = utf8Length(text) + SQS_CONTENT_TYPE_ATTRIBUTE.length + "String".length + contentType.length;
    if (bytes > SQS_QUEUE_LIMITS.messageBytes) {
      throw this.#error(
        operation,
        `the message is ${bytes} bytes as sent; SQS takes at most ${SQS_QUEUE_LIMITS.messageBytes}. Put large ` +
          `bodies in a bucket and send their key.`,
      );
    }
    return { body: text, contentType, delaySeconds: delay, bytes };
  }

  #configure(): AwsConfig & { queueUrl: string } {
    if (this.#config) return this.#config;
    const variable = sqsQueueVariable(this.#target.binding);
    const queueUrl = required(this.#target, this.#env, variable, "the URL of the SQS queue of this binding");
    this.#config = { ...awsConfig(this.#target, "sqs", this.#env, this.#transport), queueUrl };
    return this.#config;
  }

  async #call(operation: string, params: URLSearchParams): Promise<string> {
    const config = this.#configure();
    params.set("Version", "2012-11-05");
    params.set("QueueUrl", config.queueUrl);
    const response = await send(config, this.#target, operation, {
      method: "POST",
      url: config.endpoint,
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: params.toString(),
    }, throttled);
    const text = await response.text();
    if (response.status === 200) return text;
    const code = field(text, "Code") ?? "UnknownError";
    const hint = /NonExistentQueue/.test(code)
      ? ` Check that ${sqsQueueVariable(this.#target.binding)}=${config.queueUrl} names a queue in ${config.region}.`
      : "";
    throw this.#error(
      operation,
      `SQS answered ${response.status} ${code}: ${field(text, "Message") ?? ""}.${hint}`,
      text,
    );
  }

  #error(operation: string, message: string, cause?: unknown): BindingError {
    return new BindingError({ ...this.#target, operation, message, ...(cause === undefined ? {} : { cause }) });
  }
}

const THROTTLING = /<Code>(RequestThrottled|ThrottlingException|Throttling)<\/Code>/;

async function throttled(response: AwsResponse): Promise<boolean> {
  if (throttledStatus(response.status)) return true;
  if (response.status !== 400 && response.status !== 403) return false;
  return THROTTLING.test(await response.text());
}

function addMessage(params: URLSearchParams, prefix: string, message: Encoded): void {
  params.set(`${prefix}MessageBody`, message.body);
  if (message.delaySeconds !== undefined) params.set(`${prefix}DelaySeconds`, String(message.delaySeconds));
  params.set(`${prefix}MessageAttribute.1.Name`, SQS_CONTENT_TYPE_ATTRIBUTE);
  params.set(`${prefix}MessageAttribute.1.Value.DataType`, "String");
  params.set(`${prefix}MessageAttribute.1.Value.StringValue`, message.contentType);
}

/** Messages in groups SQS takes in one request: at most 10, and at most 256 KiB together. */
function groups(messages: Encoded[]): Encoded[][] {
  const out: Encoded[][] = [];
  let current: Encoded[] = [];
  let size = 0;
  for (const message of messages) {
    if (current.length === SQS_QUEUE_LIMITS.batchMessages || size + message.bytes > SQS_QUEUE_LIMITS.messageBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += message.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function bytesBody(body: unknown): string | undefined {
  if (body instanceof ArrayBuffer) return toBase64(new Uint8Array(body));
  if (ArrayBuffer.isView(body)) return toBase64(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  return undefined;
}

function describe(body: unknown): string {
  if (body === undefined) return "undefined";
  if (typeof body === "function") return "a function";
  if (typeof body === "bigint") return "a bigint";
  return typeof body === "object" && body !== null ? `a ${body.constructor?.name ?? "object"}` : typeof body;
}
