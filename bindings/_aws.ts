/**
 * What the AWS backends share: configuration read from the environment record the caller passes, SigV4 signing with
 * `aws4fetch`, bounded retries of throttling, and the conversion of failures to {@linkcode BindingError}.
 *
 * @module
 */

import { AwsV4Signer } from "npm:aws4fetch@^1.0.20";
import { BindingError, type BindingKind } from "../src/bindings.ts";
import type { EnvRecord } from "./_bytes.ts";
import { fetchWithRetry, type Throttled } from "./_retry.ts";

export { bytesOf, concat, type EnvRecord, fromBase64, readAtMost, toBase64, utf8Length } from "./_bytes.ts";

/** Which binding a request belongs to, for error messages. */
export interface AwsTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** The backend's name in messages: `dynamodb`, `s3`, `sqs`. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/** What aws4fetch's signer needs besides the request: credentials, service, region, and its cache of signing keys. */
export interface AwsSigning {
  /** The access key id. */
  accessKeyId: string;
  /** Its secret key. */
  secretAccessKey: string;
  /** The session token of temporary credentials (Lambda's role), when there is one. */
  sessionToken?: string;
  /** The service's signing name. */
  service: AwsService;
  /** The region. */
  region: string;
  /** The signing keys derived so far (one per day, region and service), shared by every request of this binding. */
  cache: Map<string, ArrayBuffer>;
}

/** What a backend needs to reach its service. */
export interface AwsConfig {
  /** What signs requests for this service and region. */
  signing: AwsSigning;
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

/**
 * The error for a missing or malformed variable, naming it and saying what it should hold.
 *
 * @param target The binding.
 * @param variable The variable's name.
 * @param what What the variable should hold.
 * @returns The error to throw.
 */
export function configError(target: AwsTarget, variable: string, what: string): BindingError {
  return new BindingError({
    ...target,
    operation: "configure",
    message: `${variable} is not set; set it to ${what}. The deployment sets it for a deployed function; ` +
      `a test or a local run sets it itself.`,
  });
}

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
  if (value === undefined || value === "") throw configError(target, variable, what);
  return value;
}

/**
 * Reads credentials, region and endpoint from the standard AWS variables (the ones Lambda sets).
 *
 * @param target The binding.
 * @param service The service to call.
 * @param env The environment.
 * @returns The configuration.
 */
export function awsConfig(target: AwsTarget, service: AwsService, env: EnvRecord): AwsConfig {
  const accessKeyId = required(target, env, "AWS_ACCESS_KEY_ID", "an AWS access key id (Lambda sets it)");
  const secretAccessKey = required(target, env, "AWS_SECRET_ACCESS_KEY", "its secret key (Lambda sets it)");
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw configError(target, "AWS_REGION", "the region of the resource, e.g. us-east-1 (Lambda sets it)");
  const id = service.toUpperCase();
  const overrideName = env[`AWS_ENDPOINT_URL_${id}`] ? `AWS_ENDPOINT_URL_${id}` : "AWS_ENDPOINT_URL";
  const override = env[overrideName];
  let endpoint: URL;
  try {
    endpoint = new URL(override || `https://${service}.${region}.amazonaws.com/`);
  } catch (cause) {
    throw new BindingError({
      ...target,
      operation: "configure",
      message: `${overrideName} is ${JSON.stringify(override)}, not a URL; give one like http://127.0.0.1:8000`,
      cause,
    });
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  const signing: AwsSigning = {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    service,
    region,
    cache: new Map(),
  };
  return { signing, endpoint, overridden: Boolean(override), region };
}

export { RETRY, type Throttled } from "./_retry.ts";

/**
 * The throttling every AWS service shares: 429, 500 and 503 (S3's `SlowDown`, `ServiceUnavailable`, SQS's
 * `RequestThrottled`).
 *
 * @param response The response.
 * @returns Whether to retry.
 */
export function throttledStatus(response: Response): boolean {
  return response.status === 429 || response.status === 500 || response.status === 503;
}

/**
 * Signs and sends a request, retrying throttling and network failures with full-jitter exponential backoff, bounded
 * by {@linkcode RETRY}. The body must be replayable (text or bytes), which is why the backends never send a stream.
 *
 * @param config The service configuration.
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @param url Where to send.
 * @param init The request; its body must be a string, bytes or absent.
 * @param throttled Whether a response is throttling.
 * @returns The last response (which may be an error response the caller turns into a {@linkcode BindingError}).
 */
export function send(
  config: AwsConfig,
  target: AwsTarget,
  operation: string,
  url: URL | string,
  init: RequestInit,
  throttled: Throttled,
): Promise<Response> {
  return fetchWithRetry(target, operation, () => signed(config.signing, url, init), throttled);
}

/**
 * The request, signed. aws4fetch's signer rather than its `AwsClient`: the client adds its own retries (of 5xx and 429
 * only; the backends retry throttling themselves, which DynamoDB answers with a 400) and `Request` handling the
 * backends do not use, and would be bundled for nothing.
 */
async function signed(signing: AwsSigning, url: URL | string, init: RequestInit): Promise<Request> {
  const request = await new AwsV4Signer({
    ...signing,
    url: url.toString(),
    ...(init.method === undefined ? {} : { method: init.method }),
    ...(init.headers === undefined ? {} : { headers: init.headers }),
    ...(init.body === undefined ? {} : { body: init.body }),
  }).sign();
  return new Request(request.url, { method: request.method, headers: request.headers, body: request.body ?? null });
}
