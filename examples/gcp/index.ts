/**
 * Google Cloud Functions entry: registers the HTTP function `shop` and the CloudEvent function `shop-events`
 * (Pub/Sub → queue, Cloud Scheduler → scheduled). Deploy each with its own `--entry-point`.
 */
import functions from "@google-cloud/functions-framework";
import { register } from "../../adapters/gcp.ts";
import shop from "./shop.ts";

export const targets = register(functions, shop);
