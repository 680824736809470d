/**
 * Azurite's well-known development account, as a connection string for the services the test started.
 *
 * @module
 */

/** The account name and key every azurite has (published in azurite's README). */
export const DEV_ACCOUNT = {
  name: "devstoreaccount1",
  key: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
} as const;

/**
 * A connection string for the development account on local endpoints.
 *
 * @param endpoints `BlobEndpoint`, `QueueEndpoint` or `TableEndpoint` → the server's URL.
 * @returns The connection string.
 */
export function devConnectionString(endpoints: Partial<Record<"blob" | "queue" | "table", string>>): string {
  const parts = [
    "DefaultEndpointsProtocol=http",
    `AccountName=${DEV_ACCOUNT.name}`,
    `AccountKey=${DEV_ACCOUNT.key}`,
  ];
  if (endpoints.blob) parts.push(`BlobEndpoint=${endpoints.blob}/${DEV_ACCOUNT.name}`);
  if (endpoints.queue) parts.push(`QueueEndpoint=${endpoints.queue}/${DEV_ACCOUNT.name}`);
  if (endpoints.table) parts.push(`TableEndpoint=${endpoints.table}/${DEV_ACCOUNT.name}`);
  return parts.join(";") + ";";
}
