/**
 * What the Google Cloud backends share: the endpoint (Google's, an emulator's, or an override), an access token from
 * the metadata server cached until it expires, the project id, bounded retries, and Google's JSON errors as
 * {@linkcode BindingError}.
 *
 * @module
 */

import { BindingError } from "../src/bindings.ts";
import type { EnvRecord } from "./_bytes.ts";
import { fetchWithRetry, type RetryTarget } from "./_retry.ts";

export type { EnvRecord };

/** Which binding a request belongs to, for error messages. */
export type GcpTarget = RetryTarget;

/** A Google service a backend calls. */
export type GcpService = "firestore" | "storage" | "pubsub";

/** The Google services the backends call, each one's public endpoint and the emulator variable Google documents. */
const SERVICES: Record<GcpService, { origin: string; emulator: string }> = {
  firestore: { origin: "https://firestore.googleapis.com", emulator: "FIRESTORE_EMULATOR_HOST" },
  storage: { origin: "https://storage.googleapis.com", emulator: "STORAGE_EMULATOR_HOST" },
  pubsub: { origin: "https://pubsub.googleapis.com", emulator: "PUBSUB_EMULATOR_HOST" },
};

/** The metadata server's path of the default service account's token, and of the project id. */
export const GCP_METADATA_PATHS = {
  token: "/computeMetadata/v1/instance/service-accounts/default/token",
  project: "/computeMetadata/v1/project/project-id",
} as const;

/** What a backend needs to reach its service. */
export interface GcpConfig {
  /** The service's origin (and base path, if an override gives one). */
  endpoint: string;
  /** Whether an emulator is the endpoint: then no token is asked for. */
  emulated: boolean;
  /** The metadata server's origin. */
  metadata: string;
  /** The project id, from `GOOGLE_CLOUD_PROJECT` or `GCLOUD_PROJECT`, else asked of the metadata server. */
  project: string | undefined;
}

/**
 * Reads the endpoint and project of a service: `<SERVICE>_EMULATOR_HOST` (an emulator, `host:port` or a URL; no
 * token), else `SLRS_GCP_ENDPOINT` (any endpoint, with tokens), else Google's own.
 *
 * @param target The binding.
 * @param service The service.
 * @param env The environment.
 * @returns The configuration.
 */
export function gcpConfig(target: GcpTarget, service: GcpService, env: EnvRecord): GcpConfig {
  const { origin, emulator } = SERVICES[service];
  const emulatorHost = env[emulator];
  const override = env.SLRS_GCP_ENDPOINT;
  const [variable, value] = emulatorHost ? [emulator, emulatorHost] : ["SLRS_GCP_ENDPOINT", override];
  const endpoint = value ? asUrl(target, variable, value) : origin;
  const metadataHost = env.GCE_METADATA_HOST || "metadata.google.internal";
  return {
    endpoint,
    emulated: Boolean(emulatorHost),
    metadata: asUrl(target, "GCE_METADATA_HOST", metadataHost),
    project: env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined,
  };
}

function asUrl(target: GcpTarget, variable: string, value: string): string {
  const text = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  try {
    return new URL(text).href.replace(/\/$/, "");
  } catch (cause) {
    throw new BindingError({
      ...target,
      operation: "configure",
      message: `${variable} is ${JSON.stringify(value)}, not a host:port or URL; give one like 127.0.0.1:8080`,
      cause,
    });
  }
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Tokens per metadata server, shared by every binding of the process; a token is renewed a minute before expiry. */
const tokens = new Map<string, Promise<CachedToken>>();

/**
 * The access token of the function's service account, from the metadata server, cached until a minute before it
 * expires; `undefined` for an emulator.
 *
 * @param config The configuration.
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @returns The token.
 */
export async function gcpToken(config: GcpConfig, target: GcpTarget, operation: string): Promise<string | undefined> {
  if (config.emulated) return undefined;
  const cached = tokens.get(config.metadata);
  if (cached) {
    const token = await cached.catch(() => undefined);
    if (token && token.expiresAt > Date.now()) return token.value;
    if (tokens.get(config.metadata) === cached) tokens.delete(config.metadata);
  }
  let pending = tokens.get(config.metadata);
  if (!pending) {
    pending = fetchToken(config, target, operation);
    tokens.set(config.metadata, pending);
    pending.catch(() => tokens.get(config.metadata) === pending && tokens.delete(config.metadata));
  }
  return (await pending).value;
}

async function fetchToken(config: GcpConfig, target: GcpTarget, operation: string): Promise<CachedToken> {
  const response = await metadataGet(config, target, operation, GCP_METADATA_PATHS.token);
  const body = JSON.parse(response) as { access_token?: string; expires_in?: number };
  if (typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
    throw metadataError(config, target, operation, `answered without access_token and expires_in: ${response}`);
  }
  return { value: body.access_token, expiresAt: Date.now() + (body.expires_in - 60) * 1000 };
}

/**
 * The project id: `GOOGLE_CLOUD_PROJECT`, `GCLOUD_PROJECT`, or the metadata server's.
 *
 * @param config The configuration.
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @returns The project id.
 */
export async function gcpProject(config: GcpConfig, target: GcpTarget, operation: string): Promise<string> {
  if (config.project) return config.project;
  if (config.emulated) {
    throw new BindingError({
      ...target,
      operation: "configure",
      message: "GOOGLE_CLOUD_PROJECT is not set; set it to the project id the emulator serves (e.g. demo-test)",
    });
  }
  config.project = (await metadataGet(config, target, operation, GCP_METADATA_PATHS.project)).trim();
  return config.project;
}

async function metadataGet(config: GcpConfig, target: GcpTarget, operation: string, path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetchWithRetry(
      target,
      operation,
      () => new Request(config.metadata + path, { headers: { "metadata-flavor": "Google" } }),
      throttledStatus,
    );
  } catch (cause) {
    throw metadataError(config, target, operation, `could not be reached (${(cause as Error).message})`, cause);
  }
  const text = await response.text();
  if (!response.ok) throw metadataError(config, target, operation, `answered ${response.status}: ${text}`);
  return text;
}

function metadataError(
  config: GcpConfig,
  target: GcpTarget,
  operation: string,
  what: string,
  cause?: unknown,
): BindingError {
  return new BindingError({
    ...target,
    operation,
    message: `the metadata server ${config.metadata} ${what}. On Google Cloud it gives the function's token; ` +
      `elsewhere point the backend at an emulator with its _EMULATOR_HOST variable, or set GCE_METADATA_HOST.`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Throttling and passing failures, as Google's retry guidance lists them: 408, 429 and 5xx.
 *
 * @param response The response.
 * @returns Whether to retry.
 */
export function throttledStatus(response: Response): Promise<boolean> {
  return Promise.resolve(response.status === 408 || response.status === 429 || response.status >= 500);
}

/**
 * Sends a request with the token (none for an emulator), retrying throttling with bounded backoff. The body must be
 * replayable (text or bytes).
 *
 * @param config The configuration.
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @param url Where to send.
 * @param init The request.
 * @returns The last response.
 */
export function gcpFetch(
  config: GcpConfig,
  target: GcpTarget,
  operation: string,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetchWithRetry(target, operation, async () => {
    const headers = new Headers(init.headers);
    const token = await gcpToken(config, target, operation);
    // The emulators take any request; the Firebase SDKs send this token to them.
    headers.set("authorization", `Bearer ${token ?? "owner"}`);
    return new Request(url, { ...init, headers });
  }, throttledStatus);
}

/**
 * A Google API error answer as a {@linkcode BindingError}.
 *
 * @param target The binding.
 * @param operation The operation.
 * @param service The service's name in the message, e.g. `Firestore`.
 * @param response The response.
 * @param hint What to check, appended to the message.
 * @returns The error.
 */
export async function gcpError(
  target: GcpTarget,
  operation: string,
  service: string,
  response: Response,
  hint = "",
): Promise<BindingError> {
  const text = await response.text();
  let detail = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: { status?: string; message?: string } };
    if (body.error) detail = `${body.error.status ?? ""} ${body.error.message ?? ""}`.trim();
  } catch {
    // not JSON: keep the text
  }
  return new BindingError({
    ...target,
    operation,
    message: `${service} answered ${response.status}: ${detail}${hint ? `. ${hint}` : ""}`,
    cause: text,
  });
}
