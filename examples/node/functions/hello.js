// A function in plain JavaScript, for Node 20 or later with the npm package:
//   npm install && npx slrs dev        # serves it on http://localhost:8000, reloading on change
//   npx slrs --info                     # describes it as JSON for every platform
// @ts-check
import { HttpError, Router, serverless } from "@slrs/core";

export default serverless({
  name: "hello-node",
  description: "Greets people from Node.",
  requirements: { memory: 128, timeout: 5 },
  fetch: new Router()
    .get("/", () => new Response("Hello from slrs on Node!\n"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, platform: ctx.platform }))
    .get("/teapot", () => {
      throw new HttpError(418, "I'm a teapot.");
    }),
});
