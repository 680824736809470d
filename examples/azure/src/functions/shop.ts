/**
 * Azure Functions entry (Node.js v4 programming model): package.json's `main` points at the bundled file.
 * `register` declares the catch-all HTTP function `shop`, the timer `shop-scheduled` and the queue `shop-queue`.
 */
import az from "@azure/functions";
import { register } from "../../../../adapters/azure.ts";
import shop from "../../shop.ts";

register(az.app, shop);
