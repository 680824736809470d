/**
 * The variables that tell each backend where a binding's resource is, `SLRS_<NAME>_<WHAT>`: one spelling for the
 * backends that read them (`bindings/`), the IaC that sets them (`cli/iac/`) and `--info`, which lists them
 * (`BACKENDS` in `binding_backends.ts`). One function per variable, so a bundle holds only the one its backend reads.
 *
 * @module
 */

/** The storage account every Azure Functions app has; a binding uses it unless its own connection is set. */
export const AZURE_DEFAULT_CONNECTION = "AzureWebJobsStorage";

/** The Redis server every Redis binding uses unless its own URL is set. */
export const REDIS_DEFAULT_URL = "REDIS_URL";

/**
 * The variable that holds its DynamoDB table.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_TABLE`.
 *
 * @example
 * ```ts
 * import { dynamoDbTableVariable } from "./binding_variables.ts";
 *
 * console.assert(dynamoDbTableVariable("COUNTER") === "SLRS_COUNTER_TABLE");
 * ```
 */
export function dynamoDbTableVariable(binding: string): string {
  return `SLRS_${binding}_TABLE`;
}

/**
 * The variable that holds its S3 bucket.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_BUCKET`.
 *
 * @example
 * ```ts
 * import { s3BucketVariable } from "./binding_variables.ts";
 *
 * console.assert(s3BucketVariable("UPLOADS") === "SLRS_UPLOADS_BUCKET");
 * ```
 */
export function s3BucketVariable(binding: string): string {
  return `SLRS_${binding}_BUCKET`;
}

/**
 * The variable that holds the URL of its SQS queue.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_QUEUE_URL`.
 *
 * @example
 * ```ts
 * import { sqsQueueVariable } from "./binding_variables.ts";
 *
 * console.assert(sqsQueueVariable("EMAILS") === "SLRS_EMAILS_QUEUE_URL");
 * ```
 */
export function sqsQueueVariable(binding: string): string {
  return `SLRS_${binding}_QUEUE_URL`;
}

/**
 * The variable that holds its Table Storage table.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_TABLE`.
 *
 * @example
 * ```ts
 * import { azureTableVariable } from "./binding_variables.ts";
 *
 * console.assert(azureTableVariable("COUNTER") === "SLRS_COUNTER_TABLE");
 * ```
 */
export function azureTableVariable(binding: string): string {
  return `SLRS_${binding}_TABLE`;
}

/**
 * The variable that holds its Blob Storage container.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_CONTAINER`.
 *
 * @example
 * ```ts
 * import { azureContainerVariable } from "./binding_variables.ts";
 *
 * console.assert(azureContainerVariable("UPLOADS") === "SLRS_UPLOADS_CONTAINER");
 * ```
 */
export function azureContainerVariable(binding: string): string {
  return `SLRS_${binding}_CONTAINER`;
}

/**
 * The variable that holds its Queue Storage queue.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_QUEUE`.
 *
 * @example
 * ```ts
 * import { azureQueueVariable } from "./binding_variables.ts";
 *
 * console.assert(azureQueueVariable("EMAILS") === "SLRS_EMAILS_QUEUE");
 * ```
 */
export function azureQueueVariable(binding: string): string {
  return `SLRS_${binding}_QUEUE`;
}

/**
 * The variable that holds the connection string of its storage account, when not the app's own.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_CONNECTION`.
 *
 * @example
 * ```ts
 * import { azureConnectionVariable } from "./binding_variables.ts";
 *
 * console.assert(azureConnectionVariable("UPLOADS") === "SLRS_UPLOADS_CONNECTION");
 * ```
 */
export function azureConnectionVariable(binding: string): string {
  return `SLRS_${binding}_CONNECTION`;
}

/**
 * The variable that holds its Firestore collection.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_COLLECTION`.
 *
 * @example
 * ```ts
 * import { firestoreCollectionVariable } from "./binding_variables.ts";
 *
 * console.assert(firestoreCollectionVariable("COUNTER") === "SLRS_COUNTER_COLLECTION");
 * ```
 */
export function firestoreCollectionVariable(binding: string): string {
  return `SLRS_${binding}_COLLECTION`;
}

/**
 * The variable that holds its Cloud Storage bucket.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_BUCKET`.
 *
 * @example
 * ```ts
 * import { gcsBucketVariable } from "./binding_variables.ts";
 *
 * console.assert(gcsBucketVariable("UPLOADS") === "SLRS_UPLOADS_BUCKET");
 * ```
 */
export function gcsBucketVariable(binding: string): string {
  return `SLRS_${binding}_BUCKET`;
}

/**
 * The variable that holds its Pub/Sub topic.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_TOPIC`.
 *
 * @example
 * ```ts
 * import { pubSubTopicVariable } from "./binding_variables.ts";
 *
 * console.assert(pubSubTopicVariable("EMAILS") === "SLRS_EMAILS_TOPIC");
 * ```
 */
export function pubSubTopicVariable(binding: string): string {
  return `SLRS_${binding}_TOPIC`;
}

/**
 * The variable that holds the URL of its Redis server, when not `REDIS_URL`.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_REDIS_URL`.
 *
 * @example
 * ```ts
 * import { redisUrlVariable } from "./binding_variables.ts";
 *
 * console.assert(redisUrlVariable("COUNTER") === "SLRS_COUNTER_REDIS_URL");
 * ```
 */
export function redisUrlVariable(binding: string): string {
  return `SLRS_${binding}_REDIS_URL`;
}

/**
 * The variable that holds the path of its local KV file.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_FILE`.
 *
 * @example
 * ```ts
 * import { localKvVariable } from "./binding_variables.ts";
 *
 * console.assert(localKvVariable("COUNTER") === "SLRS_COUNTER_FILE");
 * ```
 */
export function localKvVariable(binding: string): string {
  return `SLRS_${binding}_FILE`;
}

/**
 * The variable that holds the path of its local bucket directory.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_DIR`.
 *
 * @example
 * ```ts
 * import { localBucketVariable } from "./binding_variables.ts";
 *
 * console.assert(localBucketVariable("UPLOADS") === "SLRS_UPLOADS_DIR");
 * ```
 */
export function localBucketVariable(binding: string): string {
  return `SLRS_${binding}_DIR`;
}

/**
 * The prefix of every Redis key of a binding, on Redis and on Upstash alike: `SLRS_<NAME>_REDIS_PREFIX`, else
 * `slrs:<NAME>:`.
 *
 * @param binding The binding's name.
 * @param env The environment.
 * @returns The prefix.
 *
 * @example
 * ```ts
 * import { redisKeyPrefix } from "./binding_variables.ts";
 *
 * console.assert(redisKeyPrefix("COUNTER", {}) === "slrs:COUNTER:");
 * console.assert(redisKeyPrefix("COUNTER", { SLRS_COUNTER_REDIS_PREFIX: "app:" }) === "app:");
 * ```
 */
export function redisKeyPrefix(binding: string, env: Readonly<Record<string, string | undefined>>): string {
  return env[`SLRS_${binding}_REDIS_PREFIX`] ?? `slrs:${binding}:`;
}
