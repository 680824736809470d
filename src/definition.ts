/**
 * The definition a user passes to `serverless()`, its triggers, and the definition after checking.
 *
 * @module
 */

import type { Context, DefaultEnv } from "./context.ts";
import type { CloudEvent, MessageBatch, ScheduledEvent } from "./events.ts";
import type { Handler } from "./handler.ts";
import type { Requirements } from "./requirements.ts";
import type { Routable } from "./routable.ts";

/** A scheduled trigger: a five-field cron expression and what to run. */
export interface ScheduledTrigger<Env = DefaultEnv> {
  /** `minute hour day-of-month month day-of-week`, e.g. `*\/15 * * * *`, in UTC. */
  cron: string;
  /** Runs on each tick. */
  run: (event: ScheduledEvent, ctx: Context<Env>) => void | Promise<void>;
}

/** A queue trigger: the queue's name and what to run per batch. */
export interface QueueTrigger<Env = DefaultEnv, Body = unknown> {
  /** The queue the function consumes. */
  name: string;
  /**
   * Runs per batch. Messages not acknowledged are retried when it throws; when it returns, the ones neither
   * acknowledged nor retried count as done.
   */
  run: (batch: MessageBatch<Body>, ctx: Context<Env>) => void | Promise<void>;
}

/** An event trigger: CloudEvents from storage, pub/sub or event buses. */
export interface EventTrigger<Env = DefaultEnv> {
  /** The event sources the function listens to (e.g. `aws.s3`, `google.cloud.storage`), for `--info`. */
  sources?: string[];
  /** Runs per event. */
  run: (event: CloudEvent, ctx: Context<Env>) => void | Promise<void>;
}

/** The definition passed to {@linkcode serverless}. */
export interface ServerlessOptions<Env = DefaultEnv> {
  /** Lowercase letters, digits and hyphens, starting with a letter, at most 63 characters: valid on every platform. */
  name: string;
  /** One line for `--info` and generated deployments. */
  description?: string;
  /** What the function needs from the platform. */
  requirements?: Requirements;
  /** Answers HTTP requests: a `Router` (or anything {@linkcode Routable}) or a single handler. */
  fetch?: Routable<Env> | Handler<Env>;
  /** Cron triggers. */
  scheduled?: ScheduledTrigger<Env> | ScheduledTrigger<Env>[];
  /** A queue consumer. */
  queue?: QueueTrigger<Env>;
  /** A CloudEvents consumer. */
  event?: EventTrigger<Env>;
}

/** A definition after checking: `requirements` filled in and `scheduled` always a list. */
export type CheckedDefinition<Env> = Omit<ServerlessOptions<Env>, "requirements" | "scheduled"> & {
  requirements: Requirements;
  scheduled?: ScheduledTrigger<Env>[];
};
