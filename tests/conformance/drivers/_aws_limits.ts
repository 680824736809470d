/**
 * The documented AWS platform limits (docs/platforms.md), each with the exact cases it applies to.
 *
 * @module
 */

import type { CorpusCase } from "../corpus.ts";
import { type Limit, requestParts } from "../driver.ts";
import { decodePath } from "./_aws.ts";
import { joinedHeaders } from "./_limits.ts";

/**
 * Lambda's 6 MB synchronous payload (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): an event
 * or result over it is refused by the source (the driver answers as the source does, 413 or 502), so the function's
 * answer never reaches the client.
 *
 * @param id The limit id.
 * @param applies The cases whose event or result exceeds the limit on this source.
 * @returns The limit.
 */
export function payloadLimit(id: string, applies: (c: CorpusCase) => boolean): Limit {
  return {
    id,
    applies,
    reason: "a synchronous invocation carries at most 6 MB each way; base64 makes a 5 MB binary body ~6.7 MB",
  };
}

/**
 * REST (1.0) delivers the query only as maps of decoded values
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html; `+` decoded as a
 * space, aws/aws-cdk#19827), so the adapter can only re-encode them: the function sees the same pairs but a different
 * `url.search` whenever the client's query was not already in that encoding (`a+b`, `1,2`, a key without `=`).
 *
 * @param id The limit id.
 * @returns The limit.
 */
export function decodedQueryLimit(id: string): Limit {
  return {
    id,
    applies: (c) => {
      const p = requestParts(c);
      const canonical = p.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
      return canonical !== p.rawQuery;
    },
    aspects: ["body"],
    reason: "the event holds the query only as decoded maps: same pairs, re-encoded `url.search`",
  };
}

/**
 * ALB passes the query undecoded (awsdocs/elb-application-load-balancers-user-guide `doc_source/lambda-functions.md`
 * @01db3bf) but as a map of key → values, so a key sent without `=` comes back as `key=`: same pairs, different
 * `url.search`.
 *
 * @param id The limit id.
 * @returns The limit.
 */
export function albQueryLimit(id: string): Limit {
  return {
    id,
    applies: (c) => requestParts(c).rawQuery.split("&").some((part) => part !== "" && !part.includes("=")),
    aspects: ["body"],
    reason: "the query arrives as a key → values map: a key without `=` becomes `key=`",
  };
}

/**
 * HTTP API (2.0) percent-decodes the path before it puts it in `rawPath`: real events show `/a%2Fb` arriving as
 * `/a/b` (fastify/aws-lambda-fastify#169) and `%40`, `%2F`, `%23` decoded (wakujs/waku#458); live captures in
 * hotsock/voker#8 (summarized in middleapi/standard-server#93) confirm that REST, Function URLs and ALB keep the
 * encoding. The adapter escapes a decoded `?`, `#` and bare `%` (one not followed by two hex digits, so it was a
 * `%25`) again, and the URL parser restores spaces and non-ASCII, but `%2F` and a real `/` cannot be told apart.
 *
 * @param id The limit id.
 * @returns The limit.
 */
export function decodedPathLimit(id: string): Limit {
  return {
    id,
    applies: (c) => {
      // A dot segment answers 400 before and after decoding; the URL parser below would resolve it.
      if (c.tags.includes("dot-segment")) return false;
      const path = requestParts(c).path;
      const decoded = decodePath(path).replaceAll("?", "%3F").replaceAll("#", "%23").replace(
        /%(?![0-9A-Fa-f]{2})/g,
        "%25",
      );
      return new URL(decoded, "https://h").pathname !== path;
    },
    reason: "`rawPath` arrives percent-decoded, so `%2F` cannot be told from `/`",
  };
}

/**
 * Payload 2.0 (HTTP API and Function URL) joins the values of a repeated request header with a comma and no space
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
 * tests/fixtures/aws/apigw-v2-cookies.json `"value1,value2"`, function-url.json `"h1,h2"`).
 *
 * @param id The limit id.
 * @returns The limit.
 */
export function joinedHeadersLimit(id: string): Limit {
  return joinedHeaders(id, 'payload 2.0 joins repeated request headers with "," (no space)');
}
