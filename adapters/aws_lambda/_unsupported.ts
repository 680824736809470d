/**
 * Events that reach a Lambda function but are not ones the adapter runs: API Gateway authorizers (they look like the
 * requests they guard but want a policy back), VPC Lattice and Bedrock agent action groups. Naming them makes the
 * error say what was received instead of listing keys or blaming a missing field.
 *
 * @module
 */

import type { Json } from "./_http_fields.ts";

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

/**
 * What a known but unsupported event is, with what to do instead.
 *
 * @param event The event.
 * @returns A sentence like "an API Gateway TOKEN authorizer event (…)", or `undefined` for any other event.
 */
export function unsupportedKind(event: Json): string | undefined {
  const authorizer = "it must return a policy (REST) or {isAuthorized} (HTTP API), not an HTTP response; export a " +
    "separate handler for the authorizer instead of handle(fn)";
  if (typeof event.methodArn === "string") {
    const type = event.type === "TOKEN" ? "TOKEN" : "REQUEST";
    return `an API Gateway REST API (1.0) ${type} authorizer event: ${authorizer}`;
  }
  if (typeof event.routeArn === "string") {
    return `an API Gateway HTTP API (2.0) REQUEST authorizer event: ${authorizer}`;
  }
  const rc = event.requestContext;
  if (isObject(rc) && typeof rc.serviceNetworkArn === "string" || event.version === "2.0" && "method" in event) {
    return "a VPC Lattice (v2) event, which slrs does not convert yet";
  }
  if ("raw_path" in event && "method" in event) return "a VPC Lattice (v1) event, which slrs does not convert";
  if (isObject(event.agent) && "actionGroup" in event) {
    return "an Amazon Bedrock agent action group event, which wants a Bedrock response, not an HTTP one";
  }
  return undefined;
}
