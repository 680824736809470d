/**
 * Every event shape, for `handle()`: the general entry of a hand-written deployment, which may receive any of them.
 * HTTP shapes come first, as before the split.
 *
 * @module
 */

import { ALB } from "./_alb.ts";
import type { AnyShape } from "./_event_shape.ts";
import { EVENTBRIDGE } from "./_eventbridge.ts";
import { HTTP_API } from "./_http_v2.ts";
import { REST } from "./_rest.ts";
import { S3 } from "./_s3.ts";
import { SCHEDULE } from "./_schedule.ts";
import { SNS } from "./_sns.ts";
import { SQS } from "./_sqs.ts";

/** The shapes `handle()` accepts. */
export const ALL_SHAPES: readonly AnyShape[] = [ALB, HTTP_API, REST, SQS, S3, SNS, SCHEDULE, EVENTBRIDGE];
