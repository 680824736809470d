/**
 * Base64 both ways, strict on input: a body that is not base64 must answer 400, not become garbage bytes.
 *
 * @module
 */

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /[\t\n\f\r ]/g;

// Uint8Array.fromBase64 / toBase64 (TC39, 2025) where the runtime has them; atob/btoa otherwise (Node 20).
const native = Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array };
const nativeTo = Uint8Array.prototype as unknown as { toBase64?: () => string };

/**
 * Decodes base64 to bytes, or returns `undefined` when `text` is not valid base64.
 *
 * @param text Base64 text; ASCII whitespace is ignored, as browsers and AWS do.
 * @returns The bytes, or `undefined`.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.includes(" ") || text.includes("\n") || text.includes("\r") || text.includes("\t")
    ? text.replace(WHITESPACE, "")
    : text;
  if (compact.length % 4 === 1 || !ALPHABET.test(compact)) return undefined;
  if (native.fromBase64 !== undefined) {
    try {
      return native.fromBase64(compact.length % 4 === 0 ? compact : compact + "=".repeat(4 - compact.length % 4));
    } catch {
      return undefined;
    }
  }
  let binary: string;
  try {
    binary = atob(compact);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Encodes bytes as base64.
 *
 * @param bytes The bytes.
 * @returns Base64 text with padding.
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (nativeTo.toBase64 !== undefined) return (bytes as unknown as { toBase64(): string }).toBase64();
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}
