/**
 * The library's version, kept equal to deno.json's by a test.
 *
 * @module
 */

/** The version of slrs, as in deno.json. */
export const VERSION = "0.1.0";
