/**
 * Which backend serves each binding on each platform, and the variables that tell it where its resource is: what
 * `--info` lists and what `build` imports. The backends themselves live in `bindings/`; this table only names them,
 * so the core stays free of them.
 *
 * @module
 */

import {
  AZURE_DEFAULT_CONNECTION,
  azureConnectionVariable,
  azureContainerVariable,
  azureQueueVariable,
  azureTableVariable,
  dynamoDbTableVariable,
  firestoreCollectionVariable,
  gcsBucketVariable,
  localBucketVariable,
  localKvVariable,
  pubSubTopicVariable,
  REDIS_DEFAULT_URL,
  redisUrlVariable,
  s3BucketVariable,
  sqsQueueVariable,
} from "./binding_variables.ts";

/** The binding kinds that have a backend off Cloudflare. */
export type BackendKind = "kv" | "bucket" | "queue";

/** A backend: the kind it serves and the variables it reads, first the one naming its resource. */
export interface BackendRule {
  /** The binding kind it serves. */
  readonly kind: BackendKind;
  /** The variables it reads for a binding, first the one naming the binding's resource. */
  readonly variables: (binding: string) => readonly string[];
}

/** A backend's name (the `backend` of a `BindingError`). */
export type BackendName =
  | "dynamodb"
  | "s3"
  | "sqs"
  | "azure-table"
  | "azure-blob"
  | "azure-queue"
  | "firestore"
  | "gcs"
  | "pubsub"
  | "upstash"
  | "vercel-blob"
  | "redis"
  | "redis-queue"
  | "local"
  | "local-bucket";

const aws = ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
const azure = (binding: string) => [azureConnectionVariable(binding), AZURE_DEFAULT_CONNECTION];

/** Every backend by its name. */
export const BACKENDS: Readonly<Record<BackendName, BackendRule>> = {
  dynamodb: { kind: "kv", variables: (b) => [dynamoDbTableVariable(b), ...aws] },
  s3: { kind: "bucket", variables: (b) => [s3BucketVariable(b), ...aws] },
  sqs: { kind: "queue", variables: (b) => [sqsQueueVariable(b), ...aws] },
  "azure-table": { kind: "kv", variables: (b) => [azureTableVariable(b), ...azure(b)] },
  "azure-blob": { kind: "bucket", variables: (b) => [azureContainerVariable(b), ...azure(b)] },
  "azure-queue": { kind: "queue", variables: (b) => [azureQueueVariable(b), ...azure(b)] },
  firestore: { kind: "kv", variables: (b) => [firestoreCollectionVariable(b), "GOOGLE_CLOUD_PROJECT"] },
  gcs: { kind: "bucket", variables: (b) => [gcsBucketVariable(b)] },
  pubsub: { kind: "queue", variables: (b) => [pubSubTopicVariable(b), "GOOGLE_CLOUD_PROJECT"] },
  upstash: { kind: "kv", variables: () => ["KV_REST_API_URL", "KV_REST_API_TOKEN"] },
  "vercel-blob": { kind: "bucket", variables: () => ["BLOB_READ_WRITE_TOKEN"] },
  redis: { kind: "kv", variables: (b) => [redisUrlVariable(b), REDIS_DEFAULT_URL] },
  "redis-queue": { kind: "queue", variables: (b) => [redisUrlVariable(b), REDIS_DEFAULT_URL] },
  local: { kind: "kv", variables: (b) => [localKvVariable(b)] },
  "local-bucket": { kind: "bucket", variables: (b) => [localBucketVariable(b)] },
};

/** Where a build puts a function: a platform of `--info`, or self-hosted Deno and Node. */
export type BackendPlace = "aws-lambda" | "cloudflare" | "azure" | "gcp" | "vercel" | "self-hosted";

/** The default backend per place and kind; none where the platform has no native one (Vercel queues). */
export const DEFAULT_BACKENDS: Readonly<
  Record<Exclude<BackendPlace, "cloudflare">, Readonly<Partial<Record<BackendKind, BackendName>>>>
> = {
  "aws-lambda": { kv: "dynamodb", bucket: "s3", queue: "sqs" },
  azure: { kv: "azure-table", bucket: "azure-blob", queue: "azure-queue" },
  gcp: { kv: "firestore", bucket: "gcs", queue: "pubsub" },
  vercel: { kv: "upstash", bucket: "vercel-blob" },
  "self-hosted": { kv: "local", bucket: "local-bucket", queue: "redis-queue" },
};

/** The settings that pick another backend per kind, e.g. `kvBackend: "redis"`. */
export const BACKEND_SETTINGS: Readonly<Record<BackendKind, string>> = {
  kv: "kvBackend",
  bucket: "bucketBackend",
  queue: "queueBackend",
};

/** The `requirements.bindings` field of each kind. */
const FIELDS = { kv: "kv", bucket: "buckets", queue: "queues" } as const;

/**
 * The backends of one kind, for validation and did-you-mean.
 *
 * @param kind The binding kind.
 * @returns Their names.
 *
 * @example Usage
 * ```ts
 * import { backendsOf } from "./binding_backends.ts";
 * console.assert(backendsOf("queue").includes("sqs"));
 * ```
 */
export function backendsOf(kind: BackendKind): BackendName[] {
  return (Object.keys(BACKENDS) as BackendName[]).filter((name) => BACKENDS[name].kind === kind);
}

/** One binding's backend on a platform, as `--info` lists it. */
export interface BindingBackend {
  /** The binding's kind. */
  kind: BackendKind;
  /** The backend, or `none` where the platform has none and no override picked one. */
  backend: BackendName | "none" | "workers-kv" | "r2" | "cloudflare-queues";
  /** The variable naming the binding's resource. */
  variable?: string;
  /** The other variables the backend reads (credentials, region, fallbacks). */
  also?: string[];
}

/** Cloudflare's own binding per kind, handed to the Worker untouched. */
const NATIVE = { kv: "workers-kv", bucket: "r2", queue: "cloudflare-queues" } as const;

/**
 * Each binding's backend at a place, after the `kvBackend`/`bucketBackend`/`queueBackend` settings: the one answer
 * `--info` lists, `build` wires and `iac` creates resources for. On Cloudflare every binding is the native one.
 *
 * @param bindings The function's `requirements.bindings`.
 * @param place Where it runs.
 * @param settings The final settings there (an unknown backend name is left to validation, and falls to the default).
 * @returns The backend per binding name.
 *
 * @example The counter on Lambda
 * ```ts
 * import { bindingBackends } from "./binding_backends.ts";
 * const plan = bindingBackends({ kv: ["COUNTER"] }, "aws-lambda", {});
 * console.assert(plan.COUNTER!.backend === "dynamodb" && plan.COUNTER!.variable === "SLRS_COUNTER_TABLE");
 * ```
 */
export function bindingBackends(
  bindings: {
    readonly kv?: readonly string[];
    readonly buckets?: readonly string[];
    readonly queues?: readonly string[];
  },
  place: BackendPlace,
  settings: Readonly<Record<string, unknown>>,
): Record<string, BindingBackend> {
  const plan: Record<string, BindingBackend> = Object.create(null);
  for (const kind of ["kv", "bucket", "queue"] as const) {
    if (place === "cloudflare") {
      for (const name of bindings[FIELDS[kind]] ?? []) plan[name] = { kind, backend: NATIVE[kind] };
      continue;
    }
    const chosen = settings[BACKEND_SETTINGS[kind]];
    const backend = typeof chosen === "string" && backendsOf(kind).includes(chosen as BackendName)
      ? chosen as BackendName
      : DEFAULT_BACKENDS[place][kind];
    for (const name of bindings[FIELDS[kind]] ?? []) {
      if (backend === undefined) {
        plan[name] = { kind, backend: "none" };
        continue;
      }
      const [variable, ...also] = BACKENDS[backend].variables(name);
      plan[name] = { kind, backend, variable: variable!, ...(also.length > 0 && { also }) };
    }
  }
  return plan;
}
