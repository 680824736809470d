/**
 * Functions on Azure Functions as Terraform resources (provider `hashicorp/azurerm` 5.x).
 *
 * Every resource and argument is one the provider documents in hashicorp/terraform-provider-azurerm
 * `website/docs/r/<name>.html.markdown` at commit 69697b7fe6a923fc89e88f386bc95c3ed1ee2ec6 (5.2.0, August 2026);
 * `tests/support/iac_checks.ts` keeps the allow-list taken from those pages.
 *
 * Each function is its own function app: a Flex Consumption plan holds one app, and the adapter registers the
 * triggers of one function per app (`register(app, fn)`). The apps share a resource group and a storage account.
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import type { SettingValue } from "../../src/platforms.ts";
import { environmentVariable } from "./_aws.ts";
import { azureContainerVariable, azureQueueVariable, azureTableVariable } from "../../src/binding_variables.ts";
import { bindingsServedBy, outsideBindings } from "./_bindings.ts";
import { environmentValue, type Setting } from "./_environment.ts";
import { artifact } from "./artifacts.ts";
import {
  hcl,
  identifier,
  literal,
  quotedText,
  type Template,
  type TerraformFile,
  type TerraformValue,
} from "./terraform_file.ts";

/** What describing the functions found. */
export interface AzureResult {
  /** Things that make the description wrong: nothing should be written. */
  errors: string[];
  /** Parts of a function that are not described. */
  warnings: string[];
}

/** The `required_providers` entry for the azurerm provider. */
export const AZURERM_PROVIDER: { source: string; version: string } = {
  source: "hashicorp/azurerm",
  version: "~> 5.0",
};

/** The `plan` setting → the service plan SKU. Flex Consumption (`FC1`) has its own app resource. */
const PLANS: Record<string, Template> = Object.assign(Object.create(null), {
  "flex-consumption": hcl`FC1`,
  consumption: hcl`Y1`,
  premium: hcl`EP1`,
});
/** The instance sizes Flex Consumption offers, in MB. */
const FLEX_MEMORY = [512, 2048, 4096] as const;
const NODE_VERSION = hcl`22`;
const GROUP = hcl`azurerm_resource_group.slrs`;
const STORAGE = hcl`azurerm_storage_account.slrs`;

const number = (value: SettingValue | undefined, fallback: number) => typeof value === "number" ? value : fallback;
/** Azure Storage queue names: https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata */
const AZURE_QUEUE = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Describes every function on Azure Functions: the provider, location, resource group and storage account
 * variables in `main`, and in `file` the resource group, the storage account (with one deployment container per
 * Flex app and one queue per queue trigger), and per function a service plan and a function app.
 *
 * @param file The `azure.tf.json` being built.
 * @param main The `main.tf.json` being built (provider, variables); its `terraform.required_providers` gains `azurerm`.
 * @param functions The functions of the `--info` document.
 * @returns Errors (an unknown `plan`) and warnings (triggers not described).
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { azureFunctions } from "./_azure.ts";
 * import { TerraformFile } from "./terraform_file.ts";
 *
 * const fn = serverless({ name: "hi", fetch: () => new Response("hi") });
 * const file = new TerraformFile();
 * azureFunctions(file, new TerraformFile(), [describeFunction({ fn, entry: "hi.ts", exportName: "default" })]);
 * console.assert(file.json.resource?.azurerm_function_app_flex_consumption?.hi !== undefined);
 * ```
 */
export function azureFunctions(
  file: TerraformFile,
  main: TerraformFile,
  functions: readonly FunctionInfo[],
): AzureResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  declareProvider(main);
  if (functions.length === 0) return { errors, warnings };
  file.resource("azurerm_resource_group", "slrs", {
    name: hcl`\${var.azure_resource_group}`,
    location: hcl`\${var.azure_location}`,
  });
  file.resource("azurerm_storage_account", "slrs", {
    name: hcl`\${var.azure_storage_account}`,
    resource_group_name: hcl`\${${GROUP}.name}`,
    location: hcl`\${${GROUP}.location}`,
    account_tier: hcl`Standard`,
    account_replication_type: hcl`LRS`,
    min_tls_version: hcl`TLS1_2`,
    allow_nested_items_to_be_public: false,
  });
  for (const fn of functions) {
    const result = azureFunction(file, main, fn);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  return { errors, warnings };
}

function declareProvider(main: TerraformFile): void {
  const terraform = main.json.terraform ??= {};
  ((terraform.required_providers ??= {}) as Record<string, unknown>).azurerm = AZURERM_PROVIDER;
  main.variable("azure_location", { type: "string", description: "The Azure region of the function apps." });
  main.variable("azure_resource_group", {
    type: "string",
    description: "The resource group that holds the function apps.",
    default: "slrs-functions",
  });
  main.variable("azure_storage_account", {
    type: "string",
    description: "The storage account of the function apps: 3–24 lowercase letters and digits, unique in Azure.",
    validation: [{
      condition: hcl`\${can(regex("^[a-z0-9]{3,24}$", var.azure_storage_account))}`,
      error_message: hcl`azure_storage_account must be 3–24 lowercase letters and digits.`,
    }],
  });
  main.variable("azure_subscription_id", {
    type: "string",
    description: "The Azure subscription; when null the provider reads ARM_SUBSCRIPTION_ID.",
    default: null,
  });
  // `features` is a required block of the provider, even empty.
  (main.json.provider ??= {}).azurerm = { features: {}, subscription_id: hcl`\${var.azure_subscription_id}` };
}

function azureFunction(file: TerraformFile, main: TerraformFile, fn: FunctionInfo): AzureResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const id = identifier(fn.name);
  const name = literal(fn.name);
  const settings = fn.platforms.azure.settings;
  const planSetting = typeof settings.plan === "string" ? settings.plan : "flex-consumption";
  const sku = PLANS[planSetting];
  if (sku === undefined) {
    errors.push(
      `${fn.name} on azure: plan ${JSON.stringify(settings.plan)} is not one of ${Object.keys(PLANS).join(", ")}.`,
    );
    return { errors, warnings };
  }
  const zipPath = artifact("azure", fn).path;
  const zip = hcl`\${local.dist}/${literal(zipPath)}`;
  const names = [...fn.requirements.env ?? [], ...fn.requirements.bindings?.secrets ?? []];
  const env = names.length > 0 ? environmentVariable(main, id, fn.name, names) : undefined;
  const maxInstances = settings.maximumInstanceCount;
  const memory = number(settings.instanceMemory, 2048);
  if (sku === "FC1" && !(FLEX_MEMORY as readonly number[]).includes(memory)) {
    errors.push(
      `${fn.name} on azure: instanceMemory ${memory} MB is not a Flex Consumption size: ${FLEX_MEMORY.join(", ")}.`,
    );
  }
  const queues = fn.triggers.flatMap((t) => t.type === "queue" ? [t.queue] : []);
  for (const queue of queues.filter((q) => !AZURE_QUEUE.test(q))) {
    errors.push(
      `${fn.name} on azure: queue "${queue}" is not an Azure Storage queue name (3–63 lowercase letters, digits ` +
        "and single hyphens, starting and ending with a letter or digit); rename the queue.",
    );
  }
  const bindingQueues = bindingsServedBy(fn, "azure", "azure-queue").map((name) =>
    [name, azureQueueName(name)] as const
  );
  for (const [name] of bindingQueues.filter(([, queue]) => !AZURE_QUEUE.test(queue))) {
    errors.push(
      `${fn.name} on azure: queue binding "${name}" gives no Azure Storage queue name (3–63 lowercase letters, ` +
        "digits and single hyphens); rename the binding.",
    );
  }
  const outside = outsideBindings(main, fn, "azure", ["azure-table", "azure-blob", "azure-queue"]);
  errors.push(...outside.errors);
  warnings.push(...outside.warnings);
  if (errors.length > 0) return { errors, warnings };
  const bound = [
    ...azureBindings(file, fn, bindingQueues.map(([name, queue]) => [name, queue])),
    ...outside.settings,
  ];

  const plan = file.resource("azurerm_service_plan", id, {
    name: hcl`${name}-plan`,
    resource_group_name: hcl`\${${GROUP}.name}`,
    location: hcl`\${${GROUP}.location}`,
    sku_name: sku,
    os_type: hcl`Linux`,
  });
  const common = {
    // App names are global: <name>.azurewebsites.net.
    name,
    resource_group_name: hcl`\${${GROUP}.name}`,
    location: hcl`\${${GROUP}.location}`,
    service_plan_id: hcl`\${${plan}.id}`,
    https_only: true,
    // Azure caps tag values at 256 characters.
    ...(fn.description !== null && { tags: { description: literal(fn.description.slice(0, 256)) } }),
  };
  let app: Template;
  if (sku === "FC1") {
    const container = file.resource("azurerm_storage_container", `${id}_package`, {
      name: hcl`${name}-package`,
      storage_account_id: hcl`\${${STORAGE}.id}`,
      container_access_type: hcl`private`,
    });
    app = file.resource("azurerm_function_app_flex_consumption", id, {
      ...common,
      storage_container_type: hcl`blobContainer`,
      storage_container_endpoint: hcl`\${${STORAGE}.primary_blob_endpoint}\${${container}.name}`,
      storage_authentication_type: hcl`StorageAccountConnectionString`,
      storage_access_key: hcl`\${${STORAGE}.primary_access_key}`,
      runtime_name: hcl`node`,
      runtime_version: NODE_VERSION,
      // --info rounds requirements.memory up to a Flex size (src/platforms.ts); an override is checked above.
      instance_memory_in_mb: memory,
      ...(typeof maxInstances === "number" && { maximum_instance_count: maxInstances }),
      ...appSettings(env, bound),
      site_config: {},
    });
    // Not zip_deploy_file: azurerm posts it to /api/zipdeploy, which Flex Consumption does not serve
    // (hashicorp/terraform-provider-azurerm#29630, open at 5.2.0). The Azure CLI deploys Flex apps through OneDeploy.
    const deploy = hcl`az functionapp deployment source config-zip --resource-group \${${GROUP}.name}`;
    const zipFile = hcl`\${abspath("\${local.dist}/${quotedText(zipPath)}")}`;
    file.output(
      `${id}_azure_deploy`,
      hcl`${deploy} --name \${${app}.name} --src ${zipFile}`,
      `The command that deploys ${fn.name}'s zip to its Flex Consumption app.`,
    );
  } else {
    // Outside Flex, zip_deploy_file needs WEBSITE_RUN_FROM_PACKAGE=1 (the provider's page says so).
    const packageSetting = hcl`"1"`;
    app = file.resource("azurerm_linux_function_app", id, {
      ...common,
      storage_account_name: hcl`\${${STORAGE}.name}`,
      storage_account_access_key: hcl`\${${STORAGE}.primary_access_key}`,
      functions_extension_version: hcl`~4`,
      zip_deploy_file: zip,
      ...appSettings(env, [...bound, ["WEBSITE_RUN_FROM_PACKAGE", packageSetting]]),
      site_config: {
        application_stack: { node_version: NODE_VERSION },
        ...(typeof maxInstances === "number" && { app_scale_limit: maxInstances }),
      },
    });
  }

  // The adapter's queue trigger reads AzureWebJobsStorage, which the provider points at this account.
  for (const queue of queues) storageQueue(file, queue);
  if (fn.triggers.some((t) => t.type === "http")) {
    file.output(
      `${id}_azure_url`,
      hcl`https://\${${app}.default_hostname}`,
      `The host of the function app ${fn.name}.`,
    );
  }
  if (fn.triggers.some((t) => t.type === "event")) {
    warnings.push(`${fn.name} on azure: event triggers (Event Grid) are not described; wire them up.`);
  }
  if (fn.name.length > 32) {
    warnings.push(
      `${fn.name} on azure: app names longer than 32 characters can share a host id with another app on the same ` +
        "storage account (azurerm's function app page); a shorter function name avoids it.",
    );
  }
  for (const kind of ["d1", "sql"] as const) {
    if (fn.requirements.bindings?.[kind]?.length) {
      warnings.push(`${fn.name} on azure: ${kind} bindings have no Azure backend; pass a client through env.`);
    }
  }
  return { errors, warnings };
}

/**
 * Creates a table per kv binding, a private container per bucket binding and a queue per queue binding on the Azure
 * Storage backends, all in the shared storage account, whose connection string the app already has as
 * AzureWebJobsStorage (the backends' default).
 *
 * @returns Each app setting the backends read and its value's expression (no `${}`).
 */
function azureBindings(file: TerraformFile, fn: FunctionInfo, queues: [string, string][]): Setting[] {
  const id = identifier(fn.name);
  const settings: Setting[] = [];
  for (const name of bindingsServedBy(fn, "azure", "azure-table")) {
    const table = file.resource("azurerm_storage_table", `${id}_${identifier(name)}`, {
      name: literal(azureTableName(fn.name, name)),
      storage_account_id: hcl`\${${STORAGE}.id}`,
    });
    settings.push([azureTableVariable(name), hcl`${table}.name`]);
  }
  for (const name of bindingsServedBy(fn, "azure", "azure-blob")) {
    const container = file.resource("azurerm_storage_container", `${id}_${identifier(name)}`, {
      name: literal(azureContainerName(fn.name, name)),
      storage_account_id: hcl`\${${STORAGE}.id}`,
      container_access_type: hcl`private`,
    });
    settings.push([azureContainerVariable(name), hcl`${container}.name`]);
  }
  for (const [name, queue] of queues) {
    settings.push([azureQueueVariable(name), hcl`${storageQueue(file, queue)}.name`]);
  }
  return settings;
}

/** Declares the storage queue `name` once, however many apps send to it or consume it. */
function storageQueue(file: TerraformFile, name: string): Template {
  const local = identifier(name);
  if (file.json.resource?.azurerm_storage_queue?.[local] === undefined) {
    return file.resource("azurerm_storage_queue", local, {
      name: literal(name),
      storage_account_id: hcl`\${${STORAGE}.id}`,
    });
  }
  return hcl`azurerm_storage_queue.${local}`;
}

/** The app's `app_settings`, when there are any. */
function appSettings(env: Template | undefined, settings: readonly Setting[]): { app_settings?: TerraformValue } {
  const value = environmentValue(env, settings);
  return value === undefined ? {} : { app_settings: value };
}

/**
 * A storage queue name from a binding name: lowercase, other characters as single hyphens.
 *
 * @param binding The queue binding's name.
 * @returns The name, e.g. `emails` for `EMAILS`.
 */
function azureQueueName(binding: string): string {
  return binding.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** A table name: letters and digits, starting with a letter, 3–63 of them. */
function azureTableName(app: string, binding: string): string {
  const name = `${app}${binding}`.replace(/[^A-Za-z0-9]/g, "").replace(/^[0-9]+/, "");
  return (name || "slrs").slice(0, 63).padEnd(3, "0");
}

/** A container name: lowercase letters, digits and single hyphens, starting with a letter or digit, 3–63. */
function azureContainerName(app: string, binding: string): string {
  const name = `${app}-${binding}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 63);
  return name.replace(/-+$/, "").padEnd(3, "0");
}
