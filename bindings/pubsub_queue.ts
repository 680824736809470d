/**
 * A {@linkcode QueueProducer} on Google Cloud Pub/Sub, over its REST API (v1) and plain `fetch`.
 *
 * `send` and `sendBatch` publish to the binding's topic, at most 1,000 messages and 10 MB per request. The body
 * travels as the message's data, its encoding in the attribute `slrs-content-type` (`json`: the JSON text; `text`:
 * the string as UTF-8; `bytes`: the bytes as they are), so {@linkcode decodePubSubMessage} gives a consumer (a push
 * subscription or an Eventarc trigger) back the body that was sent. Pub/Sub cannot hold a message back: a
 * `delaySeconds` above 0 is refused (limit 24 of docs/bindings.md).
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_TOPIC` (the topic id, or its full name
 * `projects/<project>/topics/<topic>`), `GOOGLE_CLOUD_PROJECT` (optional on Google Cloud), and for tests
 * `PUBSUB_EMULATOR_HOST` (an emulator; no token) or `SLRS_GCP_ENDPOINT`.
 *
 * @example Point a queue at the Pub/Sub emulator
 * ```ts ignore
 * import { pubSubQueue } from "./pubsub_queue.ts";
 *
 * const emails = pubSubQueue("EMAILS", {
 *   SLRS_EMAILS_TOPIC: "emails",
 *   GOOGLE_CLOUD_PROJECT: "demo-test",
 *   PUBSUB_EMULATOR_HOST: "127.0.0.1:8085",
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
import { pubSubTopicVariable } from "../src/binding_variables.ts";
import { type EnvRecord, fromBase64, toBase64 } from "./_bytes.ts";
import { requiredVariable } from "./_config.ts";
import { type GcpConfig, gcpConfig, gcpError, gcpFetch, gcpProject } from "./_gcp.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** The attribute that carries a message's content type. */
export const PUBSUB_CONTENT_TYPE_ATTRIBUTE = "slrs-content-type";

/** Pub/Sub's limits per publish request, checked before a request. */
export const PUBSUB_QUEUE_LIMITS: { readonly batchMessages: number; readonly requestBytes: number } = {
  batchMessages: 1000,
  requestBytes: 10_000_000,
};

/**
 * A queue producer over a Pub/Sub topic; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `EMAILS`.
 * @param env The environment to read configuration from.
 * @returns The producer.
 *
 * @example Send a message
 * ```ts ignore
 * import { pubSubQueue } from "./pubsub_queue.ts";
 *
 * await pubSubQueue("EMAILS", process.env).send({ to: "ada@example.com" });
 * ```
 */
export function pubSubQueue(binding: string, env: EnvRecord): QueueProducer {
  return new PubSubQueue(binding, env);
}

/** A Pub/Sub message as a push subscription or the REST API delivers it: base64 data and attributes. */
export interface PubSubMessage {
  /** The data, base64. */
  data?: string;
  /** The attributes. */
  attributes?: Record<string, string>;
}

/**
 * The body a producer sent, from a delivered message: parsed JSON, text, or bytes as its attribute says. A message
 * without the attribute (published by something else) comes back as its data's text.
 *
 * @param message The message, as a push subscription or a CloudEvent's `data.message` carries it.
 * @returns The body.
 *
 * @example
 * ```ts
 * import { decodePubSubMessage } from "./pubsub_queue.ts";
 *
 * const body = decodePubSubMessage({ data: btoa('{"n":1}'), attributes: { "slrs-content-type": "json" } });
 * console.assert((body as { n: number }).n === 1);
 * ```
 */
export function decodePubSubMessage(message: PubSubMessage): unknown {
  const bytes = fromBase64(message.data ?? "");
  const type = message.attributes?.[PUBSUB_CONTENT_TYPE_ATTRIBUTE];
  if (type === "bytes") return bytes;
  const text = new TextDecoder().decode(bytes);
  return type === "json" ? JSON.parse(text) : text;
}

interface Outgoing {
  data: string;
  attributes: Record<string, string>;
}

class PubSubQueue implements QueueProducer {
  readonly #target: { kind: "queue"; backend: string; binding: string };
  readonly #env: EnvRecord;
  #topic: Promise<{ config: GcpConfig; topic: string }> | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "queue", backend: "pubsub", binding };
    this.#env = env;
  }

  async send(body: unknown, options: QueueSendOptions = {}): Promise<void> {
    await this.#publish("send", [this.#encode("send", body, options.contentType, options.delaySeconds)]);
  }

  async sendBatch(messages: Iterable<QueueSendRequest>): Promise<void> {
    const encoded = [...messages].map((m) => this.#encode("sendBatch", m.body, m.contentType, m.delaySeconds));
    // Groups of at most 1,000 messages and 10 MB; every message is checked before the first group is sent.
    let group: Outgoing[] = [];
    let bytes = 0;
    for (const message of encoded) {
      const size = message.data.length + 64;
      if (group.length === PUBSUB_QUEUE_LIMITS.batchMessages || bytes + size > PUBSUB_QUEUE_LIMITS.requestBytes) {
        await this.#publish("sendBatch", group);
        group = [];
        bytes = 0;
      }
      group.push(message);
      bytes += size;
    }
    if (group.length > 0) await this.#publish("sendBatch", group);
  }

  #encode(operation: string, body: unknown, type: QueueContentType | undefined, delay: number | undefined): Outgoing {
    if (delay !== undefined && delay !== 0) {
      throw this.#error(
        operation,
        `delaySeconds is ${delay}; Pub/Sub delivers at once and cannot hold a message back. Send without a delay, ` +
          `or pick a queue backend with delays (SQS, Redis) for this binding.`,
      );
    }
    const contentType = type ?? (body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? "bytes" : "json");
    let bytes: Uint8Array;
    if (contentType === "json") {
      const json = JSON.stringify(body);
      if (json === undefined) throw this.#error(operation, "the body cannot be sent as json: it has no JSON form");
      bytes = new TextEncoder().encode(json);
    } else if (contentType === "text") {
      if (typeof body !== "string") throw this.#error(operation, "the body cannot be sent as text: not a string");
      bytes = new TextEncoder().encode(body);
    } else if (contentType === "bytes") {
      if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
      else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      else throw this.#error(operation, "the body cannot be sent as bytes: not an ArrayBuffer or a view");
    } else {
      throw this.#error(operation, `the content type ${JSON.stringify(type)} is not one of json, text, bytes`);
    }
    const data = toBase64(bytes);
    if (data.length + 64 > PUBSUB_QUEUE_LIMITS.requestBytes) {
      throw this.#error(operation, `the message is ${bytes.byteLength} bytes; Pub/Sub takes at most 10 MB`);
    }
    return { data, attributes: { [PUBSUB_CONTENT_TYPE_ATTRIBUTE]: contentType } };
  }

  async #publish(operation: string, messages: Outgoing[]): Promise<void> {
    const { config, topic } = await this.#resolve(operation);
    const response = await gcpFetch(config, this.#target, operation, `${config.endpoint}/v1/${topic}:publish`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages }),
    });
    if (!response.ok) {
      const hint = response.status === 403 || response.status === 404
        ? `Check that ${
          pubSubTopicVariable(this.#target.binding)
        } names a topic the function's service account can publish to`
        : "";
      throw await gcpError(this.#target, operation, "Pub/Sub", response, hint);
    }
    await response.body?.cancel();
  }

  #resolve(operation: string): Promise<{ config: GcpConfig; topic: string }> {
    if (!this.#topic) {
      this.#topic = this.#load(operation);
      this.#topic.catch(() => (this.#topic = undefined));
    }
    return this.#topic;
  }

  async #load(operation: string): Promise<{ config: GcpConfig; topic: string }> {
    const name = requiredVariable(
      this.#target,
      this.#env,
      pubSubTopicVariable(this.#target.binding),
      "the Pub/Sub topic of this binding (its id, or projects/<project>/topics/<id>)",
    );
    const config = gcpConfig(this.#target, "pubsub", this.#env);
    if (name.startsWith("projects/")) return { config, topic: name };
    return { config, topic: `projects/${await gcpProject(config, this.#target, operation)}/topics/${name}` };
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }
}
