/**
 * A Lambda handler with no framework and no Fetch objects, for `scripts/bench_cold_start.ts`: the floor no adapter can
 * beat.
 *
 * @module
 */

/** The Lambda handler: `GET /` answers the hello text, anything else 404. */
// deno-lint-ignore require-await
export const handler = async (event: { rawPath?: string }): Promise<{ statusCode: number; body: string }> =>
  event.rawPath === "/"
    ? { statusCode: 200, body: "Hello from slrs! Try /hello/your-name\n" }
    : { statusCode: 404, body: "" };
