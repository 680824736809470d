/**
 * What the Azure backends share: the storage account's connection string, read from the environment record the
 * caller passes, and Azure's failures as {@linkcode BindingError}.
 *
 * @module
 */

import { BindingError, type BindingKind } from "../src/bindings.ts";
import { AZURE_DEFAULT_CONNECTION, azureConnectionVariable } from "../src/binding_variables.ts";
import type { EnvRecord } from "./_bytes.ts";

/** Which binding a call belongs to, for error messages. */
export interface AzureTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** The backend's name in messages: `azure-table`, `azure-blob`, `azure-queue`. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/** How the SDKs retry throttling (503 `ServerBusy`, 500 `OperationTimedOut`) and network failures: 5 tries in all. */
export const AZURE_RETRY: { readonly tries: number; readonly baseMs: number; readonly capMs: number } = {
  tries: 5,
  baseMs: 50,
  capMs: 1000,
};

/**
 * {@linkcode AZURE_RETRY} in the shape the Blob and Queue Storage clients take (`StorageRetryOptions`).
 *
 * @example Usage
 * ```ts
 * import { AZURE_STORAGE_RETRY_OPTIONS } from "./_azure.ts";
 * console.assert(AZURE_STORAGE_RETRY_OPTIONS.maxTries === 5);
 * ```
 */
export const AZURE_STORAGE_RETRY_OPTIONS: {
  readonly maxTries: number;
  readonly retryDelayInMs: number;
  readonly maxRetryDelayInMs: number;
} = {
  maxTries: AZURE_RETRY.tries,
  retryDelayInMs: AZURE_RETRY.baseMs,
  maxRetryDelayInMs: AZURE_RETRY.capMs,
};

/**
 * The connection string: `SLRS_<NAME>_CONNECTION`, else `AzureWebJobsStorage`; a clear error when neither is set.
 *
 * @param target The binding.
 * @param env The environment.
 * @returns The connection string, and whether it reaches the account over plain HTTP (the emulator).
 */
export function azureConnection(target: AzureTarget, env: EnvRecord): { connectionString: string; http: boolean } {
  const own = azureConnectionVariable(target.binding);
  const connectionString = env[own] || env[AZURE_DEFAULT_CONNECTION];
  if (!connectionString) {
    throw new BindingError({
      ...target,
      operation: "configure",
      message: `neither ${own} nor ${AZURE_DEFAULT_CONNECTION} is set; set one to the storage account's connection ` +
        `string. The deployment sets ${AZURE_DEFAULT_CONNECTION} for a Functions app; a test or a local run sets it ` +
        `itself (azurite's is in its README).`,
    });
  }
  return {
    connectionString,
    http: /DefaultEndpointsProtocol=http;|Endpoint=http:\/\/|UseDevelopmentStorage=true/i.test(connectionString),
  };
}

/** The parts of the SDKs' `RestError` the backends read. */
interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * The HTTP status of an SDK failure, if it has one.
 *
 * @param error What the SDK threw.
 * @returns The status.
 */
export function azureStatus(error: unknown): number | undefined {
  return (error as RestErrorLike | undefined)?.statusCode;
}

/** The storage resource a binding names, for the hint when Azure answers 404. */
export interface AzureResource {
  /** The variable that names it, e.g. `SLRS_UPLOADS_CONTAINER`. */
  variable: string;
  /** Its name, as read from the variable (unset before the first use). */
  name: string | undefined;
  /** What it is in the storage account. */
  kind: "container" | "queue" | "table";
}

/**
 * An SDK failure as a {@linkcode BindingError}, with Azure's status and code; a 404 says which variable to check.
 *
 * @param target The binding.
 * @param operation The operation.
 * @param error What the SDK threw.
 * @param resource The container, queue or table the binding names.
 * @returns The error.
 */
export function azureFailure(
  target: AzureTarget,
  operation: string,
  error: unknown,
  resource: AzureResource,
): BindingError {
  if (error instanceof BindingError) return error;
  const rest = error as RestErrorLike | undefined;
  const status = rest?.statusCode;
  const network = /REQUEST_SEND_ERROR|ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/.test(String(rest?.code));
  const what = status !== undefined
    ? `Azure answered ${status} ${rest?.code ?? ""}: ${(rest?.message ?? "").split("\n")[0]}`
    : network
    ? `could not reach the storage account (${rest?.message ?? String(error)}); check the connection string's endpoints`
    : `the Azure SDK failed: ${rest?.message ?? String(error)}`;
  const extra = status === 404
    ? `Check that ${resource.variable}=${resource.name} names a ${resource.kind} of the storage account.`
    : "";
  return new BindingError({ ...target, operation, message: extra ? `${what}. ${extra}` : what, cause: error });
}
