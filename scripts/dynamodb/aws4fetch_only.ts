// aws4fetch alone: its `AwsV4Signer`, the signer the slrs AWS backends used before they had their own, for comparison.
export { AwsV4Signer } from "npm:aws4fetch@^1.0.20";
