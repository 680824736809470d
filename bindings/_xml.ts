/**
 * Reading and writing the small, flat, fixed XML documents S3 and SQS exchange. A few lines do it here where an XML
 * library would add more to a bundle than a whole backend.
 *
 * @module
 */

/**
 * The contents of every `<tag>…</tag>` in `xml`, in order.
 *
 * @param xml The document.
 * @param tag The element name.
 * @returns The raw (still escaped) contents.
 */
export function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
}

/**
 * The text of the first `<tag>…</tag>` in `xml`, unescaped.
 *
 * @param xml The document or block.
 * @param tag The element name.
 * @returns The text, or `undefined` when there is no such element.
 */
export function field(xml: string, tag: string): string | undefined {
  const match = xml.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
  return match ? unescapeXml(match[1]!) : undefined;
}

/**
 * Resolves the five named entities and numeric character references.
 *
 * @param text Escaped text.
 * @returns The text.
 */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity[0] === "#") {
      return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    }
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity as "amp"];
  });
}

/**
 * Escapes text for element content or an attribute value.
 *
 * @param text The text.
 * @returns The escaped text.
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}
