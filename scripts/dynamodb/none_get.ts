// The baseline for sizes: an entry of the same shape with no client, so that a contender's bundle minus this one's is
// what its client adds.
import process from "node:process";

/** Reads nothing. */
export function get(key: string): Promise<string | null> {
  return Promise.resolve(process.env[key] ?? null);
}
