// Self-hosting the same function with the Node adapter: `node serve.js` (PORT defaults to 8000).
import { serve } from "@slrs/core/node";
import hello from "./functions/hello.js";

await serve(hello);
