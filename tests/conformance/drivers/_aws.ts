/**
 * What the AWS Lambda drivers share: the invocation itself (the event and the result go through JSON, as Lambda
 * sends them, with the payload limits Lambda and ALB enforce), a Lambda context, and base64.
 *
 * Each driver builds its event from the corpus request the way its source does (the sources are listed in
 * docs/platforms.md) and reads the result back the way its source does; this file knows nothing of the shapes.
 *
 * @module
 */

import { handle, type LambdaHttpResult } from "../../../adapters/aws_lambda.ts";
import type { EchoApp, Observed } from "../driver.ts";
import { fromBase64, observedFrom } from "../driver.ts";
import { lambdaContext } from "../../support/aws_lambda.ts";

/**
 * Lambda's synchronous invocation limit, for the event and for the result alike
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;
/**
 * ALB's limit on the request body and on the response JSON (awsdocs/elb-application-load-balancers-user-guide
 * `doc_source/lambda-functions.md` @01db3bf).
 */
export const ALB_LIMIT = 1024 * 1024;

/** What a source answers when a payload is over its limit, instead of calling (or after calling) the function. */
export interface Refusal {
  /** The event is too large to invoke the function with. */
  request: Observed;
  /** The result is too large to pass back. */
  response: Observed;
}

/** API Gateway and Function URLs: 413 for an event over 6 MB, 502 for a result over it. */
export const GATEWAY_REFUSAL: Refusal = {
  request: observedFrom(413, [["content-type", "application/json"]], '{"message":"Request Too Long"}'),
  response: observedFrom(502, [["content-type", "application/json"]], '{"message":"Internal Server Error"}'),
};

/** Calls a Lambda handler the way the service does: event in and result out as JSON, with size limits. */
export interface Invoker {
  /**
   * Invokes the function with `event`.
   *
   * @param event The event, as the source builds it.
   * @param limits The sizes the source refuses: `event` and `result` are JSON lengths in bytes.
   * @returns The result, or the refusal the source answers with instead.
   */
  invoke(
    event: object,
    limits: { event: number; result: number; refusal: Refusal },
  ): Promise<LambdaHttpResult | Observed>;
}

/**
 * The adapter's `handle(fn)`, called as Lambda would: the event is serialized and parsed again (so only what JSON
 * carries reaches the function), the result too, and payloads over the limits are refused as the source refuses them.
 *
 * @param app The echo function.
 * @returns The invoker.
 */
export function lambdaInvoker(app: EchoApp): Invoker {
  const handler = handle(app.fn, { logSink: () => {} });
  let n = 0;
  return {
    async invoke(event, limits) {
      const payload = JSON.stringify(event);
      if (byteLength(payload, limits.event) > limits.event) return limits.refusal.request;
      const result = await handler(JSON.parse(payload), lambdaContext(30_000, `aws-${++n}-${crypto.randomUUID()}`));
      const json = JSON.stringify(result);
      if (json === undefined) throw new Error("the handler returned nothing for an HTTP event");
      if (byteLength(json, limits.result) > limits.result) return limits.refusal.response;
      return JSON.parse(json) as LambdaHttpResult;
    },
  };
}

/** Whether the invoker answered with a refusal rather than a result. */
export function isRefusal(value: LambdaHttpResult | Observed): value is Observed {
  return "status" in value && value.body instanceof Uint8Array;
}

/** The UTF-8 length of a string, or a bound past `limit` when the string is already that long. */
function byteLength(text: string, limit: number): number {
  return text.length > limit ? text.length : new TextEncoder().encode(text).byteLength;
}

/**
 * A result body as bytes: base64 decoded when `isBase64Encoded`, else UTF-8.
 *
 * @param result The Lambda result.
 * @returns The bytes the client receives.
 */
export function resultBody(result: LambdaHttpResult): Uint8Array {
  return result.isBase64Encoded ? fromBase64(result.body) : new TextEncoder().encode(result.body ?? "");
}

/** Statuses and methods for which HTTP sends no body, whatever the result holds. */
export function bodyless(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * Percent-decodes a path as HTTP API does before putting it in `rawPath` (every escape, `%2F` included), leaving an
 * escape that is not valid UTF-8 as it was.
 *
 * @param path The path as sent.
 * @returns The decoded path.
 */
export function decodePath(path: string): string {
  return path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** A random-looking API Gateway request id. */
export function gatewayRequestId(): string {
  return crypto.randomUUID();
}

/** The epoch time and its API Gateway `requestTime` form, e.g. `27/Nov/2026:23:50:01 +0000`. */
export function requestTime(): { epoch: number; text: string } {
  const now = new Date();
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  const text = `${pad(now.getUTCDate())}/${months[now.getUTCMonth()]}/${now.getUTCFullYear()}:` +
    `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`;
  return { epoch: now.getTime(), text };
}
