// The SigV4 signer the slrs AWS backends use (bindings/_sigv4.ts) on its own, to tell its share of their size.
export { sigV4Signer } from "../../bindings/_sigv4.ts";
