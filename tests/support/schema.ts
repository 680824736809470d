/** Validates `--info` documents against the shipped JSON Schema with a real validator (ajv, draft 2020-12). */
import { Ajv2020 } from "npm:ajv@^8.17.1/dist/2020.js";
import schema from "../../src/info_schema.json" with { type: "json" };

const check = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** The validation errors as text, or `undefined` when the document is valid. */
export function schemaErrors(doc: unknown): string | undefined {
  return check(doc) ? undefined : JSON.stringify(check.errors, null, 2);
}
