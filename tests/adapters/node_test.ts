import { startOnNode } from "../support/child_server.ts";
import { selfHostedContract } from "./_self_hosted_contract.ts";

Deno.test("the Node adapter under real Node 20", async (t) => {
  const server = await startOnNode("tests/adapters/fixtures/node_main.ts");
  try {
    await selfHostedContract(t, server, { platform: "node", runtime: "node v2", unreadBody: "drains" });
  } finally {
    await server.close();
  }
});
