/**
 * What the Redis backends share: one connection per binding, opened at the first call from the URL in the
 * environment record, raw commands with binary-safe replies, and Redis failures as {@linkcode BindingError}.
 *
 * The client is `@redis/client`, the core of node-redis without its module commands: no dependencies, and it runs
 * on Node and on Deno (through `node:net`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createClient, RESP_TYPES } from "npm:@redis/client@^6.3.1";
import { BindingError, type BindingKind } from "../src/bindings.ts";
import { REDIS_DEFAULT_URL, redisUrlVariable } from "../src/binding_variables.ts";
import type { EnvRecord } from "./_bytes.ts";

/** Which binding a call belongs to, for error messages. */
export interface RedisTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** Always `redis`. */
  backend: "redis";
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/** A reply, with bulk strings as `Buffer`s. */
export type RedisReply = null | number | Buffer | RedisReply[];

/** One argument of a command. */
export type RedisArgument = string | Buffer;

/** The connection a backend sends commands on. */
export interface RedisConnection {
  /** Sends one command. */
  send(operation: string, args: RedisArgument[]): Promise<RedisReply>;
  /** Sends commands in one `MULTI`/`EXEC` transaction; resolves to each one's reply. */
  transaction(operation: string, commands: RedisArgument[][]): Promise<RedisReply[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** How often a lost connection is tried again before commands fail, and the backoff's first step and ceiling. */
export const REDIS_RETRY: { readonly attempts: number; readonly baseMs: number; readonly capMs: number } = {
  attempts: 5,
  baseMs: 50,
  capMs: 1000,
};

/**
 * A connection that opens at its first command: `SLRS_<NAME>_REDIS_URL`, else `REDIS_URL`, a clear error when neither
 * is set or the server cannot be reached.
 *
 * @param target The binding.
 * @param env The environment.
 * @returns The connection.
 */
export function redisConnection(target: RedisTarget, env: EnvRecord): RedisConnection {
  type Client = ReturnType<typeof open>;
  let client: Client | undefined;
  let variable = "";
  let url = "";

  const error = (operation: string, cause: unknown) => {
    if (cause instanceof BindingError) return cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    const name = cause instanceof Error ? cause.name : "";
    // node-redis: ClientOfflineError, ClientClosedError, SocketClosedUnexpectedlyError, ConnectionTimeoutError, …
    const network = /ECONNREFUSED|ENOTFOUND|ECONNRESET|EAI_AGAIN|offline|closed|socket|timeout|connect/i.test(
      `${name} ${message}`,
    );
    return new BindingError({
      ...target,
      operation,
      message: network
        ? `could not reach Redis at ${variable}=${redacted(url)} (${message}); check that the server runs there`
        : `Redis answered: ${message}`,
      cause,
    });
  };

  const connected = async (operation: string): Promise<Client> => {
    // A client that gave up reconnecting is closed for good; the next call opens a new one.
    if (client && !client.isOpen) client = undefined;
    if (client) return client;
    variable = env[redisUrlVariable(target.binding)] ? redisUrlVariable(target.binding) : REDIS_DEFAULT_URL;
    url = env[variable] ?? "";
    if (!url) {
      throw new BindingError({
        ...target,
        operation: "configure",
        message: `neither ${redisUrlVariable(target.binding)} nor ${REDIS_DEFAULT_URL} is set; set one to the ` +
          `server's URL, such as redis://127.0.0.1:6379/0.`,
      });
    }
    const opened = open(url);
    // Without a listener, a lost connection is an uncaught error that ends the process.
    opened.on("error", () => {});
    try {
      await opened.connect();
    } catch (cause) {
      throw error(operation, cause);
    }
    client = opened;
    return opened;
  };

  return {
    async send(operation, args) {
      const redis = await connected(operation);
      try {
        return await redis.sendCommand<RedisReply>(args);
      } catch (cause) {
        throw error(operation, cause);
      }
    },
    async transaction(operation, commands) {
      const redis = await connected(operation);
      const multi = redis.multi();
      for (const command of commands) multi.addCommand(command);
      try {
        return await multi.exec() as unknown as RedisReply[];
      } catch (cause) {
        throw error(operation, cause);
      }
    },
    async close() {
      const open = client;
      client = undefined;
      if (open) await open.close();
    },
  };
}

function open(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries: number, cause: Error) =>
        retries >= REDIS_RETRY.attempts - 1 ? cause : Math.min(REDIS_RETRY.capMs, REDIS_RETRY.baseMs * 2 ** retries),
    },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/**
 * A string as a binary-safe argument.
 *
 * @param text The text.
 * @returns Its UTF-8 bytes.
 */
export function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}
