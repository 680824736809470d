/**
 * What the AWS backends share: configuration read from the environment record the caller passes, SigV4 signing
 * (`_sigv4.ts`), the transport requests go through, bounded retries of throttling, and the conversion of failures to
 * {@linkcode BindingError}.
 *
 * The transport is `fetch` unless the backend is given another: on Node the entry `build` generates passes the
 * `node:http` one (`node_http_transport.ts`), because Node loads its whole Fetch implementation (undici) on the first
 * `fetch`, `Request`, `Response` or `Headers`, about 20–40 ms of a cold start. So nothing on a backend's request path
 * touches those classes: requests and responses are the plain {@linkcode AwsRequest} and {@linkcode AwsResponse}.
 *
 * @module
 */

import type { BindingError, BindingKind } from "../src/bindings.ts";
import { bindingError } from "./_binding_error.ts";
import type { EnvRecord } from "./_bytes.ts";
import { backoff, RETRY_ATTEMPTS } from "./_retry.ts";
import { type SigV4Signer, sigV4Signer } from "./_sigv4.ts";

export { bytesOf, concat, type EnvRecord, fromBase64, readAtMost, toBase64, utf8Length } from "./_bytes.ts";
export { RETRY } from "./_retry.ts";

/** Which binding a request belongs to, for error messages. */
export interface AwsTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** The backend's name in messages: `dynamodb`, `s3`, `sqs`. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/** A request as a transport sends it. */
export interface AwsRequest {
  /** The method, in capitals. */
  method: string;
  /** Where to send it. */
  url: URL;
  /** The headers, lowercased, one value each. */
  headers: Readonly<Record<string, string>>;
  /** The body: replayable, so a retry sends it again. */
  body?: Uint8Array<ArrayBuffer> | string | undefined;
  /** Whether the caller reads the response body as a stream (an object's body); otherwise it reads it whole. */
  stream?: boolean | undefined;
}

/** A response as the backends read it. */
export interface AwsResponse {
  /** The status code. */
  readonly status: number;
  /** The headers, names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, read once and remembered: the retry check and the caller may both ask. */
  text(): Promise<string>;
  /** The body as a stream, for a request that asked for one. */
  readonly body?: ReadableStream<Uint8Array> | undefined;
}

/** Sends one request; a network failure rejects, any HTTP answer resolves. */
export type AwsTransport = (request: AwsRequest) => Promise<AwsResponse>;

/**
 * The transport over the runtime's own `fetch`: Deno, workerd, Vercel's edge, and Node when nothing else is given.
 *
 * @param request The request.
 * @returns The response.
 *
 * @example
 * ```ts ignore
 * import { fetchTransport } from "./_aws.ts";
 *
 * const response = await fetchTransport({ method: "GET", url: new URL("http://127.0.0.1:4567/"), headers: {} });
 * console.log(response.status, await response.text());
 * ```
 */
export async function fetchTransport(request: AwsRequest): Promise<AwsResponse> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? null,
  });
  let text: Promise<string> | undefined;
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: () => text ??= response.text(),
    ...(request.stream ? { body: response.body ?? new Blob().stream() } : {}),
  };
}

/** What a backend needs to reach its service. */
export interface AwsConfig {
  /** Signs requests for this service and region. */
  sign: SigV4Signer;
  /** Sends them. */
  transport: AwsTransport;
  /** The service's endpoint: the regional AWS one, or the override from `AWS_ENDPOINT_URL_<SERVICE>`. */
  endpoint: URL;
  /** Whether the endpoint came from an override (a local server, or an S3-compatible service). */
  overridden: boolean;
  /** The region. */
  region: string;
}

/**
 * An AWS service the backends call. For each, the id in `AWS_ENDPOINT_URL_<SERVICE>` (as the AWS SDKs name them) is
 * its name in capitals, and its regional host `<service>.<region>.amazonaws.com`.
 */
export type AwsService = "dynamodb" | "s3" | "sqs";

/** The error of a backend call: {@linkcode bindingError}. */
export const awsError: (target: AwsTarget, operation: string, message: string, cause?: unknown) => BindingError =
  bindingError;

/**
 * Reads a required variable, or throws the error that names it.
 *
 * @param target The binding.
 * @param env The environment.
 * @param variable The variable's name.
 * @param what What it should hold, for the message.
 * @returns Its value.
 */
export function required(target: AwsTarget, env: EnvRecord, variable: string, what: string): string {
  const value = env[variable];
  if (value) return value;
  throw awsError(
    target,
    "configure",
    `${variable} is not set; set it to ${what}. The deployment sets it for a deployed function; ` +
      `a test or a local run sets it itself.`,
  );
}

/**
 * Reads credentials, region and endpoint from the standard AWS variables (the ones Lambda sets).
 *
 * @param target The binding.
 * @param service The service to call.
 * @param env The environment.
 * @param transport What sends the requests.
 * @returns The configuration.
 */
export function awsConfig(target: AwsTarget, service: AwsService, env: EnvRecord, transport: AwsTransport): AwsConfig {
  const accessKeyId = required(target, env, "AWS_ACCESS_KEY_ID", "an AWS access key id (Lambda sets it)");
  const secretAccessKey = required(target, env, "AWS_SECRET_ACCESS_KEY", "its secret key (Lambda sets it)");
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION ||
    required(target, env, "AWS_REGION", "the region of the resource, e.g. us-east-1 (Lambda sets it)");
  const specific = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
  const variable = env[specific] ? specific : "AWS_ENDPOINT_URL";
  const override = env[variable];
  let endpoint: URL;
  try {
    endpoint = new URL(override || `https://${service}.${region}.amazonaws.com/`);
  } catch (cause) {
    throw awsError(
      target,
      "configure",
      `${variable} is ${JSON.stringify(override)}, not a URL; give one like http://127.0.0.1:8000`,
      cause,
    );
  }
  const sign = sigV4Signer({ accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }, service, region);
  return { sign, transport, endpoint, overridden: Boolean(override), region };
}

/**
 * Whether a status is throttling every AWS service shares: 429, 500 and 503 (S3's `SlowDown`, `ServiceUnavailable`,
 * SQS's `RequestThrottled`).
 *
 * @param status The status code.
 * @returns Whether to retry.
 */
export function throttledStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 503;
}

/**
 * Signs and sends a request, retrying throttling and network failures with full-jitter exponential backoff, bounded
 * by {@linkcode RETRY}; each attempt is signed afresh, so its date stays current.
 *
 * @param config The service configuration.
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @param request The request, its body replayable.
 * @param throttled Whether a response is throttling; it may read the body's text.
 * @returns The last response (which may be an error response the caller turns into a {@linkcode BindingError}).
 */
export async function send(
  config: AwsConfig,
  target: AwsTarget,
  operation: string,
  request: AwsRequest,
  throttled: (response: AwsResponse) => boolean | Promise<boolean> = (response) => throttledStatus(response.status),
): Promise<AwsResponse> {
  for (let attempt = 1;; attempt++) {
    let response: AwsResponse;
    try {
      response = await config.transport({ ...request, headers: await config.sign(request) });
    } catch (cause) {
      if (attempt >= RETRY_ATTEMPTS) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw awsError(
          target,
          operation,
          `could not reach ${request.url.origin} (${reason}) after ${attempt} attempts`,
          cause,
        );
      }
      await backoff(attempt);
      continue;
    }
    if (attempt >= RETRY_ATTEMPTS || !(await throttled(response))) return response;
    // Read to the end, so a kept-alive connection is free again for the next attempt.
    await response.text().catch(() => {});
    await backoff(attempt);
  }
}
