/**
 * A {@linkcode QueueProducer} on Redis, for self-hosted Deno and Node, and the receiver its consumer reads with.
 *
 * A message is an envelope, `{"id": …, "slrs-content-type": …, "body": …}` (the id keeps equal bodies apart). Ready
 * messages wait in the list `<prefix>ready` (`LPUSH`, read oldest first with `RPOP`); a delayed one waits in the sorted
 * set `<prefix>delayed`, scored by when it is due on the server's clock (`TIME`, in a script, so producers' clocks do
 * not matter), until a receiver moves it to the list. `sendBatch` is one `MULTI`: all or nothing.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_REDIS_URL`, else `REDIS_URL`, and optionally
 * `SLRS_<NAME>_REDIS_PREFIX` (default `slrs:<NAME>:`).
 *
 * @example Send to a local Redis
 * ```ts ignore
 * import { redisQueue } from "./redis_queue.ts";
 *
 * const emails = redisQueue("EMAILS", { REDIS_URL: "redis://127.0.0.1:6379" });
 * await emails.send({ to: "ada@example.com" }, { delaySeconds: 60 });
 * await emails.close();
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  BindingError,
  type QueueContentType,
  type QueueProducer,
  type QueueSendOptions,
  type QueueSendRequest,
} from "../src/bindings.ts";
import { redisKeyPrefix } from "../src/binding_variables.ts";
import type { EnvRecord } from "./_bytes.ts";
import { decodeQueueBody, encodeQueueBody } from "./_queue_messages.ts";
import { type RedisArgument, type RedisConnection, redisConnection, type RedisTarget } from "./_redis.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/**
 * The backend's limits, Cloudflare Queues' own so code moves between them unchanged: a delay of at most 43,200 s
 * (12 h) and 128 KB per message as stored.
 */
export const REDIS_QUEUE_LIMITS: { readonly maxDelaySeconds: number; readonly messageBytes: number } = {
  maxDelaySeconds: 43_200,
  messageBytes: 128_000,
};

/** A queue producer on Redis, with the connection's `close`. */
export interface RedisQueue extends QueueProducer {
  /** Closes the connection. */
  close(): Promise<void>;
}

/** What a consumer of a Redis queue reads with. */
export interface RedisQueueReceiver {
  /** Moves the delayed messages that are due to the ready list, then takes up to `max` (oldest first), decoded. */
  receive(max?: number): Promise<unknown[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}

const ENQUEUE_DELAYED = `local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[1]) * 1000, ARGV[2])
return 1`;

const PROMOTE_DUE = `local t = redis.call('TIME')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', t[1] * 1000 + math.floor(t[2] / 1000), 'LIMIT', 0, 1000)
for _, message in ipairs(due) do redis.call('LPUSH', KEYS[2], message) end
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return #due`;

/**
 * A queue producer on Redis; the connection opens, and missing configuration is reported, at the first call.
 *
 * @param binding The binding's name, e.g. `EMAILS`.
 * @param env The environment to read configuration from.
 * @returns The producer.
 *
 * @example Send a message
 * ```ts ignore
 * import { redisQueue } from "./redis_queue.ts";
 *
 * await redisQueue("EMAILS", process.env).send({ to: "ada@example.com" });
 * ```
 */
export function redisQueue(binding: string, env: EnvRecord): RedisQueue {
  return new RedisQueueProducer(binding, env);
}

/**
 * The consumer's side of a Redis queue: each message is taken once (`RPOP`), so delivery is at most once; a consumer
 * that must not lose a message it failed to handle sends it again.
 *
 * @param binding The binding's name.
 * @param env The environment to read configuration from.
 * @returns The receiver.
 *
 * @example Drain what is due
 * ```ts ignore
 * import { redisQueueReceiver } from "./redis_queue.ts";
 *
 * const receiver = redisQueueReceiver("EMAILS", { REDIS_URL: "redis://127.0.0.1:6379" });
 * for (const body of await receiver.receive(10)) console.log(body);
 * ```
 */
export function redisQueueReceiver(binding: string, env: EnvRecord): RedisQueueReceiver {
  const redis = redisConnection({ kind: "queue", backend: "redis", binding }, env);
  const prefix = redisKeyPrefix(binding, env);
  return {
    async receive(max = 100) {
      await redis.send("receive", ["EVAL", PROMOTE_DUE, "2", `${prefix}delayed`, `${prefix}ready`]);
      const taken = await redis.send("receive", ["RPOP", `${prefix}ready`, String(max)]) as Buffer[] | null;
      return (taken ?? []).map((message) => decodeQueueBody(message.toString("utf8")));
    },
    close: () => redis.close(),
  };
}

class RedisQueueProducer implements RedisQueue {
  readonly #target: RedisTarget;
  readonly #redis: RedisConnection;
  readonly #prefix: string;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "queue", backend: "redis", binding };
    this.#redis = redisConnection(this.#target, env);
    this.#prefix = redisKeyPrefix(binding, env);
  }

  async send(body: unknown, options: QueueSendOptions = {}): Promise<void> {
    await this.#redis.send("send", this.#command("send", body, options.contentType, options.delaySeconds));
  }

  async sendBatch(messages: Iterable<QueueSendRequest>): Promise<void> {
    const commands = [...messages].map((m) => this.#command("sendBatch", m.body, m.contentType, m.delaySeconds));
    if (commands.length > 0) await this.#redis.transaction("sendBatch", commands);
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #command(
    operation: string,
    body: unknown,
    type: QueueContentType | undefined,
    delay: number | undefined,
  ): RedisArgument[] {
    const encoded = encodeQueueBody(body, type);
    if ("refused" in encoded) throw this.#error(operation, encoded.refused);
    const max = REDIS_QUEUE_LIMITS.maxDelaySeconds;
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > max)) {
      throw this.#error(operation, `delaySeconds is ${delay}; give a whole number of seconds from 0 to ${max}`);
    }
    const message = Buffer.from(`{"id":${JSON.stringify(crypto.randomUUID())},${encoded.json.slice(1)}`, "utf8");
    if (message.byteLength > REDIS_QUEUE_LIMITS.messageBytes) {
      throw this.#error(
        operation,
        `the message is ${message.byteLength} bytes as stored; this backend takes at most ${REDIS_QUEUE_LIMITS.messageBytes}` +
          ` (Cloudflare Queues' limit). Put large bodies in a bucket and send their key.`,
      );
    }
    if (!delay) return ["LPUSH", `${this.#prefix}ready`, message];
    return ["EVAL", ENQUEUE_DELAYED, "1", `${this.#prefix}delayed`, String(delay), message];
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }
}
