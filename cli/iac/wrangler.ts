/**
 * `wrangler.jsonc` for each function, for deploying to Cloudflare Workers with wrangler instead of Terraform. Pure:
 * the CLI writes the files.
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import { bindingsServedBy } from "./_bindings.ts";
import { r2BucketName, workerSettings } from "./_cloudflare.ts";

/** Options of {@linkcode wranglerConfig}. */
export interface WranglerOptions {
  /**
   * The bundled Worker (`slrs build --target cloudflare`), relative to the directory of the `wrangler.jsonc`;
   * default `../../../dist/cloudflare/<fn>.js`, right for `infra/wrangler/<fn>/wrangler.jsonc`.
   */
  main?: string;
}

/**
 * The wrangler configuration of one function, as JSONC text: name, main (the bundle, which wrangler uploads as it is),
 * compatibility date and flags, KV namespaces and D1 databases (with the command that creates each, where wrangler
 * needs an id), cron triggers, queue consumer, routes and CPU limit.
 *
 * @param fn The function's entry of the `--info` document.
 * @param options Where the bundle is.
 * @returns The file's text.
 *
 * @example The hello example
 * ```ts
 * import { describeFunction } from "../../src/info.ts";
 * import { wranglerConfig } from "./wrangler.ts";
 * import hello from "../../examples/hello/main.ts";
 *
 * const text = wranglerConfig(describeFunction({ fn: hello, entry: "main.ts", exportName: "default" }));
 * console.assert(text.includes('"crons": ["0 * * * *"]'));
 * ```
 */
export function wranglerConfig(fn: FunctionInfo, options: WranglerOptions = {}): string {
  const worker = workerSettings(fn);
  const bindings = fn.requirements.bindings ?? {};
  const crons = fn.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  const queues = fn.triggers.flatMap((t) => t.type === "queue" ? [t.queue] : []);
  // The bindings of the Worker's own backends, as --info lists them (Cloudflare takes no backend override).
  const kv = bindingsServedBy(fn, "cloudflare", "workers-kv");
  const buckets = bindingsServedBy(fn, "cloudflare", "r2");
  const producers = bindingsServedBy(fn, "cloudflare", "cloudflare-queues");
  const json = (value: unknown) => JSON.stringify(value).replaceAll('","', '", "');
  // Each member is one or more lines (comments first); they are joined with commas, so there is no trailing comma.
  const members: string[][] = [
    [`"name": ${json(fn.name)}`],
    [`"main": ${json(options.main ?? `../../../dist/cloudflare/${fn.name}.js`)}`],
    [`"compatibility_date": ${json(worker.compatibilityDate)}`],
  ];
  if (worker.compatibilityFlags.length > 0) members.push([`"compatibility_flags": ${json(worker.compatibilityFlags)}`]);
  members.push(["// Already bundled and minified by `slrs build`.", '"no_bundle": true']);
  const list = (key: string, items: string[][]) => [
    `"${key}": [`,
    ...items.flatMap((item, i) =>
      item.map((line, j) => `  ${line}${j === item.length - 1 && i < items.length - 1 ? "," : ""}`)
    ),
    "]",
  ];
  if (kv.length > 0) {
    members.push(list(
      "kv_namespaces",
      kv.map((name) => [
        `// npx wrangler kv namespace create ${fn.name}-${name}`,
        `{ "binding": ${json(name)}, "id": ${json(`<id of ${fn.name}-${name}>`)} }`,
      ]),
    ));
  }
  if (bindings.d1?.length) {
    members.push(list(
      "d1_databases",
      bindings.d1.map((name) => {
        const database = `${fn.name}-${name.toLowerCase()}`;
        return [
          `// npx wrangler d1 create ${database}`,
          `{ "binding": ${json(name)}, "database_name": ${json(database)}, "database_id": ${
            json(`<id of ${database}>`)
          } }`,
        ];
      }),
    ));
  }
  if (buckets.length > 0) {
    members.push(list(
      "r2_buckets",
      buckets.map((name) => {
        const bucket = r2BucketName(fn.name, name);
        return [
          `// npx wrangler r2 bucket create ${bucket}`,
          `{ "binding": ${json(name)}, "bucket_name": ${json(bucket)} }`,
        ];
      }),
    ));
  }
  if (crons.length > 0) members.push([`"triggers": { "crons": ${json(crons)} }`]);
  if (queues.length > 0 || producers.length > 0) {
    const created = [...new Set([...producers, ...queues])];
    const queueMembers = [`// ${created.map((queue) => `npx wrangler queues create ${oneLine(queue)}`).join("; ")}`];
    const entries: string[] = [];
    if (producers.length > 0) {
      const list = producers.map((queue) => `{ "binding": ${json(queue)}, "queue": ${json(queue)} }`);
      entries.push(`"producers": [${list.join(", ")}]`);
    }
    if (queues.length > 0) {
      const list = queues.map((queue) => `{ "queue": ${json(queue)}, "max_batch_size": 10, "max_retries": 3 }`);
      entries.push(`"consumers": [${list.join(", ")}]`);
    }
    members.push([...queueMembers, `"queues": { ${entries.join(", ")} }`]);
  }
  if (worker.routes.length > 0) members.push([`"routes": ${json(worker.routes)}`]);
  const names = [...fn.requirements.env ?? [], ...bindings.secrets ?? []];
  const limits = [`"limits": { "cpu_ms": ${worker.cpuMs} }`];
  if (names.length > 0) {
    limits.unshift(`// Environment: ${names.map((name) => `npx wrangler secret put ${name}`).join("; ")}`);
  }
  members.push(limits);
  const lines = [
    `// Generated by \`slrs iac wrangler\` from ${oneLine(fn.entry)}; regenerate it rather than editing it.`,
    `// Build first: deno run -A jsr:@slrs/core/cli build --target cloudflare ${oneLine(fn.entry)}`,
    `//    (on Node: npx slrs build --target cloudflare ${oneLine(fn.entry)})`,
    "{",
    ...members.flatMap((member, i) =>
      member.map((line, j) => `  ${line}${j === member.length - 1 && i < members.length - 1 ? "," : ""}`)
    ),
    "}",
    "",
  ];
  return lines.join("\n");
}

/** Text for a `//` comment: a line break in it (a file name may hold one) would end the comment and start JSON. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
