// aws4fetch alone (its `AwsClient` and the signer it uses), to tell its share of the slrs backend's size.
export { AwsClient } from "aws4fetch";
