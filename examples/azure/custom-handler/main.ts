/**
 * Azure Functions custom handler: the host starts this (host.json `customHandler`), proxies HTTP requests to it
 * as they are (`enableProxyingHttpRequest`) and POSTs timer and queue invocations to `/shop-scheduled` and
 * `/shop-queue`, the names of the function folders next to this file.
 */
import { customHandler } from "../../../adapters/azure.ts";
import shop from "../shop.ts";

const port = Number(Deno.env.get("FUNCTIONS_CUSTOMHANDLER_PORT") ?? 8080);
Deno.serve({ port, hostname: "127.0.0.1" }, customHandler(shop));
