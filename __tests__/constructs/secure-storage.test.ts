import { SecureStorage, SecureStorageProps } from "../../src/constructs/secure-storage";
import { ACCOUNT_ID, dataReferenceTo, dataSourceAt, PARTITION, referenceTo, resourceAt, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "eu-central-1";
const ROLE_ARN = "arn:aws:iam::123456789012:role/apigw";
const baseProps: Omit<SecureStorageProps, "provider"> = {
  naming: { project: "tap", environment: "dev", region: REGION },
  accountId: ACCOUNT_ID,
  partition: PARTITION,
  apiGatewayCloudWatchRoleArn: ROLE_ARN,
};

function synthStorage(props: Partial<SecureStorageProps> = {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => new SecureStorage(scope, "storage", { ...baseProps, ...props, provider }));
}

const statement = (json: SynthJson, document: string, sid: string) =>
  dataSourceAt(json, "aws_iam_policy_document", document).statement.find((s: any) => s.sid === sid);

describe("SecureStorage", () => {
  const json = synthStorage();
  const keyArn = referenceTo(json, "aws_kms_key", "storage/key", "arn");
  const bucketId = referenceTo(json, "aws_s3_bucket", "storage/bucket", "id");
  const bucketArn = referenceTo(json, "aws_s3_bucket", "storage/bucket", "arn");

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf(REGION, (scope, provider) => new SecureStorage(scope, "storage", { ...baseProps, provider }))).toMatchSnapshot();
  });

  test("the KMS key rotates, waits 30 days before deletion, uses the policy document and has an alias", () => {
    expect(resourceAt(json, "aws_kms_key", "storage/key")).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      policy: dataReferenceTo(json, "aws_iam_policy_document", "storage/key-policy", "json"),
      provider: "aws.eu-central-1",
    });
    expect(resourceAt(json, "aws_kms_alias", "storage/key-alias")).toMatchObject({
      name: "alias/tap-dev-eu-central-1-data",
      target_key_id: referenceTo(json, "aws_kms_key", "storage/key", "key_id"),
    });
  });

  test("the key policy keeps the account in control", () => {
    expect(statement(json, "storage/key-policy", "AccountAdministration")).toMatchObject({
      effect: "Allow",
      principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
      actions: ["kms:*"],
    });
  });

  test("the key policy lets CloudWatch Logs of this region use the key for exactly the log groups that use it", () => {
    const json = synthStorage({ encryptedLogGroupNames: ["/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc"] });
    expect(statement(json, "storage/key-policy", "CloudWatchLogsForTheseLogGroups")).toMatchObject({
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["logs.eu-central-1.amazonaws.com"] }],
      actions: expect.arrayContaining(["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]),
      condition: [
        {
          test: "ArnEquals",
          variable: "kms:EncryptionContext:aws:logs:arn",
          values: [
            "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/apigateway/tap-dev-eu-central-1-access",
            "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc",
          ],
        },
      ],
    });
  });

  test("the bucket name is unique per account and region, and force_destroy is on outside production", () => {
    const bucket = resourceAt(json, "aws_s3_bucket", "storage/bucket");
    expect(bucket).toMatchObject({ bucket: "tap-dev-eu-central-1-data-123456789012", force_destroy: true });
    expect(bucket.lifecycle).toBeUndefined();
  });

  test("protectData turns force_destroy off and prevent_destroy on for the bucket and the key", () => {
    const json = synthStorage({ protectData: true });
    expect(resourceAt(json, "aws_s3_bucket", "storage/bucket")).toMatchObject({
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(resourceAt(json, "aws_kms_key", "storage/key").lifecycle).toEqual({ prevent_destroy: true });
  });

  test("all four public-access-block flags are on", () => {
    expect(resourceAt(json, "aws_s3_bucket_public_access_block", "storage/public-access-block")).toMatchObject({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("objects are SSE-KMS encrypted with this key and S3 bucket keys", () => {
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/encryption")).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: keyArn }, bucket_key_enabled: true }],
    });
  });

  test("versioning is enabled and ACLs are disabled (BucketOwnerEnforced)", () => {
    expect(resourceAt(json, "aws_s3_bucket_versioning", "storage/versioning")).toMatchObject({
      bucket: bucketId,
      versioning_configuration: { status: "Enabled" },
    });
    expect(resourceAt(json, "aws_s3_bucket_ownership_controls", "storage/ownership")).toMatchObject({
      bucket: bucketId,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  test("the bucket policy denies requests without TLS and below TLS 1.2, after the public-access block exists", () => {
    const resources = [bucketArn, `${bucketArn}/*`];
    const everyone = [{ type: "*", identifiers: ["*"] }];
    expect(statement(json, "storage/bucket-policy-document", "DenyInsecureTransport")).toMatchObject({
      effect: "Deny",
      principals: everyone,
      actions: ["s3:*"],
      resources,
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(statement(json, "storage/bucket-policy-document", "DenyTlsBelow12")).toMatchObject({
      effect: "Deny",
      principals: everyone,
      resources,
      condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
    });
    expect(resourceAt(json, "aws_s3_bucket_policy", "storage/bucket-policy")).toMatchObject({
      bucket: bucketId,
      policy: dataReferenceTo(json, "aws_iam_policy_document", "storage/bucket-policy-document", "json"),
      depends_on: [expect.stringMatching(/^aws_s3_bucket_public_access_block\./)],
    });
  });

  test("lifecycle aborts incomplete multipart uploads and expires noncurrent versions", () => {
    const lifecycle = resourceAt(json, "aws_s3_bucket_lifecycle_configuration", "storage/lifecycle");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({ status: "Enabled", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
      expect.objectContaining({ status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    ]);
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
  });

  test("the API Gateway log group is encrypted with the key and kept 365 days by default", () => {
    expect(resourceAt(json, "aws_cloudwatch_log_group", "storage/api-gateway-log-group")).toMatchObject({
      name: "/aws/apigateway/tap-dev-eu-central-1-access",
      kms_key_id: keyArn,
      retention_in_days: 365,
    });
    const custom = synthStorage({ logRetentionDays: 731 });
    expect(resourceAt(custom, "aws_cloudwatch_log_group", "storage/api-gateway-log-group").retention_in_days).toBe(731);
  });

  test("the region's API Gateway account points at the shared CloudWatch role, and resets on destroy", () => {
    const json = synthStorage({ apiGatewayRoleDependencies: [] });
    expect(resourceAt(json, "aws_api_gateway_account", "storage/api-gateway-account")).toMatchObject({
      cloudwatch_role_arn: ROLE_ARN,
      reset_on_delete: true,
      provider: "aws.eu-central-1",
    });
  });

  test("without a role (another deployment owns the account's settings) the region's API Gateway settings are left alone", () => {
    expect(synthStorage({ apiGatewayCloudWatchRoleArn: undefined }).resource?.aws_api_gateway_account).toBeUndefined();
  });

  test.each([
    [{ logRetentionDays: 366 }, /'logRetentionDays' must be one of .*Received: 366/],
    [{ noncurrentVersionExpirationDays: 0 }, /'noncurrentVersionExpirationDays' must be a whole number of at least 1\. Received: 0/],
    [{ naming: { project: "tap", environment: "e".repeat(30), region: REGION } }, /the S3 bucket name "tap-e{30}-eu-central-1-data-123456789012" is invalid \(65 characters; S3 allows 3 to 63\)/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthStorage(props)).toThrow(message);
  });
});
