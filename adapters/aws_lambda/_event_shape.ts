/**
 * An event shape: one kind of event Lambda can deliver, with the test that recognises it and its conversion. Each
 * shape is its own module, so an entry built for a deployment imports only the shapes that deployment receives;
 * `handle()` takes them all (`./_all_shapes.ts`).
 *
 * @module
 */

import type { Context } from "../../src/context.ts";
import type { ServerlessFunction } from "../../src/serverless.ts";
import type { Shape } from "./_http.ts";
import { isObject, type Json } from "./_http_fields.ts";

/** Options of the non-HTTP conversions. */
export interface SourceOptions {
  batchItemFailures: boolean;
  schedules: Record<string, string> | undefined;
}

/** A non-HTTP event shape: it runs one of the function's triggers. */
export interface SourceShape {
  /** Marks a non-HTTP shape. */
  readonly kind: "source";
  /** How errors name the shape. */
  readonly name: string;
  /** Whether an event has this shape; no event has two. */
  matches(event: Json): boolean;
  /** Runs the trigger; returns what Lambda expects back (`{ batchItemFailures }` for SQS, nothing otherwise). */
  run(
    fn: ServerlessFunction<never>,
    event: Json,
    ctx: Context<never>,
    options: SourceOptions,
  ): Promise<Json | undefined>;
}

/** An HTTP shape (`./_http.ts`) or a non-HTTP one. */
export type AnyShape = Shape | SourceShape;

/**
 * One kind of event a Lambda function can receive, as the aws-lambda adapter exports them (`httpV2`, `sqs`, …):
 * what `handleShapes()` is given. Only those values are shapes; the fields here are what a reader of one may use.
 */
export interface EventShape {
  /** How errors name the shape, e.g. `"SQS"`. */
  readonly name: string;
  /** Whether its events are HTTP requests. */
  readonly kind: "http" | "source";
}

/**
 * The shape of an event among those a handler accepts.
 *
 * @param event The event.
 * @param shapes The accepted shapes.
 * @returns The shape, or `undefined`.
 */
export function shapeOf(event: Json, shapes: readonly AnyShape[]): AnyShape | undefined {
  for (const shape of shapes) if (shape.matches(event)) return shape;
  return undefined;
}

/**
 * The first record of a `Records` batch (SQS, SNS, S3), which says where the batch comes from.
 *
 * @param event The event.
 * @returns The record, or `undefined` when the event has no records.
 */
export function firstRecord(event: Json): Json | undefined {
  const records = event.Records;
  return Array.isArray(records) && records.length > 0 && isObject(records[0]) ? records[0] : undefined;
}
