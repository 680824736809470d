/**
 * The REST API (payload 1.0) shape: where its method, path, query and headers are, and how its result looks.
 *
 * @module
 */

import type { Shape } from "./_http.ts";
import { isRestEvent } from "./_http_detect.ts";
import { encodeQuery, gatherBoth, type Json, plainBoth, stringField } from "./_http_fields.ts";

/** API Gateway REST API (payload 1.0). */
export const REST: Shape = {
  kind: "http",
  name: "REST API (payload 1.0)",
  matches: isRestEvent,
  v2: false,
  method: (e) => e.httpMethod,
  // `path` never has the stage (`requestContext.path` does); behind a custom domain it has the base-path mapping.
  path: (e) => stringField(e, "path"),
  query: (e) => encodeQuery(e.queryStringParameters, e.multiValueQueryStringParameters, false),
  // multiValueHeaders is the complete map; `headers` keeps one value per name (which one is not even documented).
  headers: (e, into) => gatherBoth(e.headers, e.multiValueHeaders, into),
  plainHeaders: (e) => plainBoth(e.headers, e.multiValueHeaders),
  result(_e, head, body, isBase64Encoded) {
    const result: Json = { statusCode: head.status, headers: head.headers, body, isBase64Encoded };
    if (head.cookies.length > 0) result.multiValueHeaders = { "set-cookie": head.cookies };
    return result;
  },
};
