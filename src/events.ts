/**
 * Non-HTTP work: scheduled runs, queue batches and CloudEvents. Adapters map each platform's events onto these
 * shapes, which follow Cloudflare's module worker and CloudEvents 1.0, the two nearest standards.
 *
 * @module
 */

/** A scheduled (cron) run. */
export interface ScheduledEvent {
  /** The cron expression that fired, as declared in `scheduled.cron`. */
  readonly cron: string;
  /** When the run was scheduled, in milliseconds since the epoch. */
  readonly scheduledTime: number;
}

/** Options for {@linkcode Message.retry}. */
export interface RetryOptions {
  /** Seconds to wait before the message is delivered again, where the platform supports it. */
  delaySeconds?: number;
}

/** One message of a {@linkcode MessageBatch}. */
export interface Message<Body = unknown> {
  /** The platform's message id (SQS `messageId`, Pub/Sub `messageId`, …). */
  readonly id: string;
  /**
   * The message body: parsed JSON where the platform delivers JSON, else a string; a `Uint8Array` where the platform
   * delivers bytes that are not UTF-8 text (Pub/Sub).
   */
  readonly body: Body;
  /** How many times the message has been delivered, counting this one. */
  readonly attempts: number;
  /** When the message was sent. */
  readonly timestamp: Date;
  /** Marks the message as done: it is not delivered again, whatever happens to the rest of the batch. */
  ack(): void;
  /** Asks for the message to be delivered again. */
  retry(options?: RetryOptions): void;
}

/** A batch of queue messages, handed to the `queue` handler. */
export interface MessageBatch<Body = unknown> {
  /** The queue's name. */
  readonly queue: string;
  /** The messages, in delivery order. */
  readonly messages: readonly Message<Body>[];
  /** Acknowledges every message of the batch. */
  ackAll(): void;
  /** Asks for every message of the batch to be delivered again. */
  retryAll(options?: RetryOptions): void;
}

/** A CloudEvents 1.0 event (https://github.com/cloudevents/spec), as handed to the `event` handler. */
export interface CloudEvent<Data = unknown> {
  /** Always `"1.0"`. */
  readonly specversion: "1.0";
  /** Unique per `source`. */
  readonly id: string;
  /** Where the event happened, as a URI reference (e.g. `arn:aws:s3:::bucket`). */
  readonly source: string;
  /** What happened, reverse-DNS style (e.g. `aws.s3.ObjectCreated:Put`). */
  readonly type: string;
  /** When it happened, RFC 3339. */
  readonly time?: string;
  /** What it happened to, within the source (e.g. an object key). */
  readonly subject?: string;
  /** The media type of `data`. */
  readonly datacontenttype?: string;
  /** A schema `data` adheres to. */
  readonly dataschema?: string;
  /** The event payload; adapters put the platform's original record here. */
  readonly data?: Data;
  /** Extension attributes. */
  readonly [extension: string]: unknown;
}

/** What became of one message once the `queue` handler finished. */
export type MessageOutcome = "ack" | "retry" | "unsettled";

/** The fields an adapter knows about one message. */
export interface MessageInit<Body = unknown> {
  /** The platform's message id. */
  id: string;
  /** The decoded body. */
  body: Body;
  /** Delivery count, 1 on the first delivery. */
  attempts: number;
  /** When the message was sent. */
  timestamp: Date;
}

/** A batch together with the record of what the handler did to each message. */
export interface TrackedBatch<Body = unknown> {
  /** The batch to hand to the handler. */
  readonly batch: MessageBatch<Body>;
  /** Each message's outcome by id, in delivery order, as it stands now. */
  readonly outcomes: ReadonlyMap<string, MessageOutcome>;
  /** The delay asked for by `retry({ delaySeconds })`, by message id. */
  readonly retryDelays: ReadonlyMap<string, number>;
}

/**
 * Builds a {@linkcode MessageBatch} whose `ack()`/`retry()` calls are recorded, so an adapter can tell the platform
 * exactly which messages failed. The last call on a message wins.
 *
 * @param queue The queue's name.
 * @param messages The messages as the platform delivered them.
 * @returns The batch and the record of each message's outcome.
 *
 * @example Report retried messages
 * ```ts
 * import { trackBatch } from "./events.ts";
 *
 * const tracked = trackBatch("orders", [
 *   { id: "a", body: 1, attempts: 1, timestamp: new Date() },
 *   { id: "b", body: 2, attempts: 1, timestamp: new Date() },
 * ]);
 * tracked.batch.messages[0]?.ack();
 * tracked.batch.messages[1]?.retry();
 * console.assert(tracked.outcomes.get("b") === "retry");
 * ```
 */
export function trackBatch<Body>(queue: string, messages: readonly MessageInit<Body>[]): TrackedBatch<Body> {
  const outcomes = new Map<string, MessageOutcome>();
  const delays = new Map<string, number>();
  const built = messages.map((init): Message<Body> => {
    outcomes.set(init.id, "unsettled");
    return {
      id: init.id,
      body: init.body,
      attempts: init.attempts,
      timestamp: init.timestamp,
      ack: () => void outcomes.set(init.id, "ack"),
      retry: (options) => {
        outcomes.set(init.id, "retry");
        if (options?.delaySeconds !== undefined) delays.set(init.id, options.delaySeconds);
      },
    };
  });
  const batch: MessageBatch<Body> = {
    queue,
    messages: built,
    ackAll: () => built.forEach((m) => m.ack()),
    retryAll: (options) => built.forEach((m) => m.retry(options)),
  };
  return { batch, outcomes, retryDelays: delays };
}
