/**
 * Which HTTP shape an event has, decided so that no event matches two shapes: each shape's module tests only its
 * own predicate, and an entry that carries one shape still refuses the others.
 *
 * @module
 */

import { isObject, type Json } from "./_http_fields.ts";

/** Only ALB events have `requestContext.elb` (they carry `httpMethod` and `path` like REST ones). */
export function isAlbEvent(event: Json): boolean {
  const rc = event.requestContext;
  return isObject(rc) && rc.elb !== undefined;
}

/** Authorizer events look like the requests they guard but want a policy back: never run the HTTP handler on them. */
function isAuthorizerEvent(event: Json): boolean {
  return typeof event.methodArn === "string" || typeof event.routeArn === "string";
}

/**
 * Payload 2.0 (HTTP API, Function URL). Only 2.0 has `requestContext.http`. A REST (1.0) event may carry `version`
 * ("1.0") and, behind a custom domain with a base-path mapping, `rawPath`; VPC Lattice v2 says `version: "2.0"` but
 * has neither rawPath nor requestContext.http.
 */
export function isHttpV2Event(event: Json): boolean {
  if (isAlbEvent(event) || isAuthorizerEvent(event)) return false;
  const rc = event.requestContext;
  if (isObject(rc) && isObject(rc.http)) return true;
  return event.version === "2.0" && "rawPath" in event && !("httpMethod" in event);
}

/** Payload 1.0 (REST API). */
export function isRestEvent(event: Json): boolean {
  if (isAlbEvent(event) || isAuthorizerEvent(event) || isHttpV2Event(event)) return false;
  return "httpMethod" in event && "path" in event;
}
