/**
 * What the state bucket lets Terraform's S3 backend write, evaluated as AWS evaluates a request
 * against the bucket policy (the evaluator of the service-access proofs). The emulator does not
 * keep the bucket's policy (the apply tier lifts it: EMULATOR_PLAIN_HTTP), so this is where the
 * state bucket is proven to refuse state written under any other encryption than its own key.
 */
import { decide } from "../access/evaluate";
import { ACCOUNT, PARTITION, StackPolicies } from "../access/stack-policies";
import { synthConstruct } from "../helpers";
import { StateBucket } from "../../src/storage/state-bucket";

const REGION = "eu-west-1";
const BUCKET = `acme-tfstate-${ACCOUNT}-${REGION}`;
const policies = new StackPolicies(
  synthConstruct(REGION, (scope, provider) => {
    new StateBucket(scope, "state", {
      provider,
      naming: { project: "acme", environment: "bootstrap" },
      bucketName: BUCKET,
      accessLogBucketName: `acme-tflogs-${ACCOUNT}-${REGION}`,
      accountId: ACCOUNT,
      partition: PARTITION,
    });
  }),
);
const bucket = policies.resources("aws_s3_bucket").find((resource) => resource.body.bucket === BUCKET)!;
const stateKey = policies.arn(policies.resource("aws_kms_key", "state/key"));
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d`;
const STATE_OBJECT = `arn:aws:s3:::${BUCKET}/acme/dev/terraform.tfstate`;
const overTls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };

/** The deployment's own credentials (allowed everything by IAM) writing a state object with these encryption headers. */
function write(headers: Record<string, string>, object = STATE_OBJECT) {
  return decide({
    principal: `arn:aws:iam::${ACCOUNT}:role/deployer`,
    identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }],
    action: "s3:PutObject",
    resourceArn: object,
    resourcePolicy: policies.bucketPolicy(bucket),
    context: { ...overTls, ...headers },
  });
}

describe("the state bucket: state and lock file are written under the state key, or not at all", () => {
  test("Terraform's backend with kms_key_id set to the state key writes the state and its lock file", async () => {
    const underStateKey = { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": stateKey };
    expect(await write(underStateKey)).toBe("Allowed");
    expect(await write(underStateKey, `${STATE_OBJECT}.tflock`)).toBe("Allowed");
  });

  // Threat list: each way a write could leave state outside the state key.
  const REFUSED: readonly (readonly [string, Record<string, string>])[] = [
    ["SSE-S3, what Terraform's backend asks for without kms_key_id (encrypt = true)", { "s3:x-amz-server-side-encryption": "AES256" }],
    ["SSE-KMS under another key of the account", { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY }],
    ["SSE-KMS under the AWS managed key (aws:kms without a key id)", { "s3:x-amz-server-side-encryption": "aws:kms" }],
    ["dual-layer SSE-KMS, even under the state key", { "s3:x-amz-server-side-encryption": "aws:kms:dsse", "s3:x-amz-server-side-encryption-aws-kms-key-id": stateKey }],
    ["SSE-C, a key S3 never keeps", { "s3:x-amz-server-side-encryption-customer-algorithm": "AES256" }],
  ];
  test.each(REFUSED)("refuses a write asking for %s", async (_what, headers) => {
    expect(await write(headers)).toBe("ExplicitlyDenied");
  });

  test("a write that asks for no encryption gets the bucket's default, the state key; an upload's parts carry no headers and go through", async () => {
    // UploadPart is authorized as s3:PutObject and cannot carry the encryption headers (they belong
    // to CreateMultipartUpload): a policy that required them on every s3:PutObject would refuse any
    // state large enough for Terraform's uploader to send in parts.
    expect(await write({})).toBe("Allowed");
  });
});
