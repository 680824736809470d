// aws4fetch alone: its `AwsV4Signer`, the part of it the slrs AWS backends import, to tell its share of their size.
export { AwsV4Signer } from "npm:aws4fetch@^1.0.20";
