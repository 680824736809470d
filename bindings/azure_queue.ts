/**
 * A {@linkcode QueueProducer} on Azure Queue Storage. Queue Storage has no message attributes, so each message is an
 * envelope, `{"slrs-content-type": …, "body": …}`, sent as base64 (what a Functions queue trigger decodes by
 * default), and {@linkcode decodeAzureQueueMessage} gives a consumer back the body that was sent. `delaySeconds` is
 * the message's initial visibility timeout; its time to live is 7 days after that. Queue Storage has no batch send:
 * `sendBatch` checks every message first, then sends them one request each, 16 at a time.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_QUEUE` (the queue's name) and the storage
 * account's connection string in `SLRS_<NAME>_CONNECTION`, else `AzureWebJobsStorage` (every Functions app has it).
 *
 * @example Send to azurite
 * ```ts ignore
 * import { azureQueue } from "./azure_queue.ts";
 *
 * const emails = azureQueue("EMAILS", { SLRS_EMAILS_QUEUE: "emails", AzureWebJobsStorage: "UseDevelopmentStorage=true" });
 * await emails.send({ to: "ada@example.com" });
 * ```
 *
 * @module
 */

import { type QueueClient, QueueServiceClient } from "npm:@azure/storage-queue@^12.32.0";
import {
  BindingError,
  type QueueContentType,
  type QueueProducer,
  type QueueSendOptions,
  type QueueSendRequest,
} from "../src/bindings.ts";
import { AZURE_STORAGE_RETRY_OPTIONS, azureConnection, azureFailure, type AzureTarget } from "./_azure.ts";
import { requiredVariable } from "./_config.ts";
import { type EnvRecord, fromBase64, toBase64 } from "./_bytes.ts";
import { decodeQueueBody, encodeQueueBody, isEnvelope } from "./_queue_messages.ts";
import { azureQueueVariable } from "../src/binding_variables.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/**
 * Queue Storage's limits, checked before a request: a delay (initial visibility) of at most 7 days, and 64 KiB per
 * message as stored (the base64 of the envelope, so about 48 KiB of envelope).
 */
export const AZURE_QUEUE_LIMITS: {
  readonly maxDelaySeconds: number;
  readonly messageBytes: number;
  readonly timeToLiveSeconds: number;
  readonly concurrency: number;
} = { maxDelaySeconds: 7 * 24 * 3600, messageBytes: 64 * 1024, timeToLiveSeconds: 7 * 24 * 3600, concurrency: 16 };

/**
 * A queue producer over an Azure Storage queue; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `EMAILS`.
 * @param env The environment to read configuration from.
 * @returns The producer.
 *
 * @example Send a message
 * ```ts ignore
 * import { azureQueue } from "./azure_queue.ts";
 *
 * await azureQueue("EMAILS", process.env).send({ to: "ada@example.com" }, { delaySeconds: 60 });
 * ```
 */
export function azureQueue(binding: string, env: EnvRecord): QueueProducer {
  return new AzureQueue(binding, env);
}

/**
 * The body a producer sent, from a message as Queue Storage stores it (base64) or as a Functions queue trigger hands
 * it over (decoded, and parsed when it is JSON). A message without the envelope comes back as it is.
 *
 * @param message The message text, or the trigger's value.
 * @returns The body.
 *
 * @example Decode a message a trigger received
 * ```ts
 * import { decodeAzureQueueMessage } from "./azure_queue.ts";
 *
 * const body = decodeAzureQueueMessage({ "slrs-content-type": "json", body: { to: "ada@example.com" } });
 * console.assert((body as { to: string }).to === "ada@example.com");
 * ```
 */
export function decodeAzureQueueMessage(message: unknown): unknown {
  if (typeof message === "string" && /^[A-Za-z0-9+/]+={0,2}$/.test(message)) {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(message));
      if (isEnvelope(JSON.parse(text))) return decodeQueueBody(text);
    } catch { /* not base64 of an envelope: the text itself */ }
  }
  return decodeQueueBody(message);
}

interface Encoded {
  text: string;
  delaySeconds: number | undefined;
}

class AzureQueue implements QueueProducer {
  readonly #target: AzureTarget;
  readonly #env: EnvRecord;
  #client: QueueClient | undefined;
  #name = "";

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "queue", backend: "azure-queue", binding };
    this.#env = env;
  }

  async send(body: unknown, options: QueueSendOptions = {}): Promise<void> {
    await this.#send("send", this.#encode("send", body, options.contentType, options.delaySeconds));
  }

  async sendBatch(messages: Iterable<QueueSendRequest>): Promise<void> {
    const encoded = [...messages].map((m) => this.#encode("sendBatch", m.body, m.contentType, m.delaySeconds));
    let next = 0;
    const worker = async () => {
      while (next < encoded.length) await this.#send("sendBatch", encoded[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(AZURE_QUEUE_LIMITS.concurrency, encoded.length) }, worker));
  }

  async #send(operation: string, message: Encoded): Promise<void> {
    const client = this.#configure();
    const delay = message.delaySeconds ?? 0;
    try {
      await client.sendMessage(message.text, {
        ...(delay > 0 ? { visibilityTimeout: delay } : {}),
        messageTimeToLive: AZURE_QUEUE_LIMITS.timeToLiveSeconds + delay,
      });
    } catch (error) {
      throw azureFailure(
        this.#target,
        operation,
        error,
        { variable: azureQueueVariable(this.#target.binding), name: this.#name, kind: "queue" },
      );
    }
  }

  #encode(operation: string, body: unknown, type: QueueContentType | undefined, delay: number | undefined): Encoded {
    const encoded = encodeQueueBody(body, type);
    if ("refused" in encoded) throw this.#error(operation, encoded.refused);
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > AZURE_QUEUE_LIMITS.maxDelaySeconds)) {
      throw this.#error(
        operation,
        `delaySeconds is ${delay}; Queue Storage delays a message by a whole number of seconds from 0 to ${AZURE_QUEUE_LIMITS.maxDelaySeconds}`,
      );
    }
    const text = toBase64(new TextEncoder().encode(encoded.json));
    if (text.length > AZURE_QUEUE_LIMITS.messageBytes) {
      throw this.#error(
        operation,
        `the message is ${text.length} bytes as stored (base64); Queue Storage takes at most ${AZURE_QUEUE_LIMITS.messageBytes}. ` +
          `Put large bodies in a bucket and send their key.`,
      );
    }
    return { text, delaySeconds: delay };
  }

  #configure(): QueueClient {
    if (this.#client) return this.#client;
    this.#name = requiredVariable(
      this.#target,
      this.#env,
      azureQueueVariable(this.#target.binding),
      "the name of the Azure Storage queue of this binding",
    );
    const { connectionString } = azureConnection(this.#target, this.#env);
    const service = QueueServiceClient.fromConnectionString(connectionString, {
      retryOptions: AZURE_STORAGE_RETRY_OPTIONS,
    });
    this.#client = service.getQueueClient(this.#name);
    return this.#client;
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }
}
