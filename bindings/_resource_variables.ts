/**
 * The variables a deployment sets to name the cloud resource behind each binding: one place for the IaC that sets
 * them (cli/iac/) and the backend that reads them, so the two agree. Apart from the backends, so the CLI can name a
 * variable without loading the backend's SDK.
 *
 * @module
 */

/**
 * The variable that names a binding's table.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_TABLE`.
 *
 * @example
 * ```ts
 * import { dynamoDbTableVariable } from "./_resource_variables.ts";
 *
 * console.assert(dynamoDbTableVariable("COUNTER") === "SLRS_COUNTER_TABLE");
 * ```
 */
export function dynamoDbTableVariable(binding: string): string {
  return `SLRS_${binding}_TABLE`;
}

/**
 * The variable that names a binding's bucket.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_BUCKET`.
 *
 * @example
 * ```ts
 * import { s3BucketVariable } from "./_resource_variables.ts";
 *
 * console.assert(s3BucketVariable("UPLOADS") === "SLRS_UPLOADS_BUCKET");
 * ```
 */
export function s3BucketVariable(binding: string): string {
  return `SLRS_${binding}_BUCKET`;
}

/**
 * The variable that holds a binding's queue URL.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_QUEUE_URL`.
 *
 * @example
 * ```ts
 * import { sqsQueueVariable } from "./_resource_variables.ts";
 *
 * console.assert(sqsQueueVariable("EMAILS") === "SLRS_EMAILS_QUEUE_URL");
 * ```
 */
export function sqsQueueVariable(binding: string): string {
  return `SLRS_${binding}_QUEUE_URL`;
}

/**
 * The variable that names a binding's table.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_TABLE`.
 *
 * @example
 * ```ts
 * import { azureTableVariable } from "./_resource_variables.ts";
 *
 * console.assert(azureTableVariable("COUNTER") === "SLRS_COUNTER_TABLE");
 * ```
 */
export function azureTableVariable(binding: string): string {
  return `SLRS_${binding}_TABLE`;
}

/**
 * The variable that names a binding's container.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_CONTAINER`.
 *
 * @example
 * ```ts
 * import { azureContainerVariable } from "./_resource_variables.ts";
 *
 * console.assert(azureContainerVariable("UPLOADS") === "SLRS_UPLOADS_CONTAINER");
 * ```
 */
export function azureContainerVariable(binding: string): string {
  return `SLRS_${binding}_CONTAINER`;
}

/**
 * The variable that names a binding's queue.
 *
 * @param binding The binding's name.
 * @returns `SLRS_<NAME>_QUEUE`.
 *
 * @example
 * ```ts
 * import { azureQueueVariable } from "./_resource_variables.ts";
 *
 * console.assert(azureQueueVariable("EMAILS") === "SLRS_EMAILS_QUEUE");
 * ```
 */
export function azureQueueVariable(binding: string): string {
  return `SLRS_${binding}_QUEUE`;
}
