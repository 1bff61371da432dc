import { AccessLogDelivery } from "../../src/storage/hardened-bucket";
import { SecureStorage, SecureStorageProps } from "../../src/storage/secure-storage";
import { probe, probed, ACCOUNT_ID, dataReferenceTo, dataSourceAt, PARTITION, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "eu-central-1";
const baseProps: Omit<SecureStorageProps, "provider"> = {
  naming: { project: "tap", environment: "dev", region: REGION },
  accountId: ACCOUNT_ID,
  partition: PARTITION,
};

/** Synthesizes a SecureStorage; `use` plays the other constructs of the region, calling its grant methods. */
function synthStorage(props: Partial<SecureStorageProps> = {}, use: (storage: SecureStorage) => void = () => {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => use(new SecureStorage(scope, "storage", { ...baseProps, ...props, provider })));
}

const statement = (json: SynthJson, document: string, sid: string) =>
  dataSourceAt(json, "aws_iam_policy_document", document).statement.find((s: any) => s.sid === sid);

describe("SecureStorage", () => {
  const json = synthStorage();
  const keyArn = referenceTo(json, "aws_kms_key", "storage/key", "arn");
  const bucketId = referenceTo(json, "aws_s3_bucket", "storage/data/bucket", "id");

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

  test("the key policy lets CloudWatch Logs of this region use the key for exactly its own log group and those granted", () => {
    const json = synthStorage({}, (storage) => storage.grantLogGroupEncryption("/aws/vpc/flow-logs/tap-dev-eu-central-1-vpc"));
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

  test("the data bucket name is unique per account and region, and force_destroy is on outside production", () => {
    const bucket = resourceAt(json, "aws_s3_bucket", "storage/data/bucket");
    expect(bucket).toMatchObject({ bucket: "tap-dev-eu-central-1-data-123456789012", force_destroy: true });
    expect(bucket.lifecycle).toBeUndefined();
  });

  test("protectData turns force_destroy off and prevent_destroy on for both buckets and the key", () => {
    const json = synthStorage({ protectData: true });
    for (const path of ["storage/data/bucket", "storage/access-logs/bucket"]) {
      expect(resourceAt(json, "aws_s3_bucket", path)).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    }
    expect(resourceAt(json, "aws_kms_key", "storage/key").lifecycle).toEqual({ prevent_destroy: true });
  });

  test("the data bucket is SSE-KMS with this key and bucket keys, and logs every request to the region's access-log bucket", () => {
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/data/encryption")).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: keyArn }, bucket_key_enabled: true }],
    });
    expect(resourceAt(json, "aws_s3_bucket_logging", "storage/data/access-logging")).toEqual(
      expect.objectContaining({
        bucket: bucketId,
        target_bucket: referenceTo(json, "aws_s3_bucket", "storage/access-logs/bucket", "id"),
        target_prefix: "s3/tap-dev-eu-central-1-data-123456789012/",
      }),
    );
  });

  test("the access-log bucket is SSE-S3 (S3 logging cannot write to SSE-KMS), is not itself logged, and keeps logs as long as the log groups", () => {
    expect(resourceAt(json, "aws_s3_bucket", "storage/access-logs/bucket").bucket).toBe("tap-dev-eu-central-1-logs-123456789012");
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "storage/access-logs/encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(resourcesOf(json, "aws_s3_bucket_logging")).toHaveLength(1);
    const rules = resourceAt(json, "aws_s3_bucket_lifecycle_configuration", "storage/access-logs/lifecycle").rule;
    expect(rules.find((rule: any) => rule.id === "expire-objects").expiration).toEqual([{ days: 365 }]);
    // Logs kept forever (0) have no expiration rule.
    const forever = synthStorage({ logRetentionDays: 0 });
    expect(resourceAt(forever, "aws_s3_bucket_lifecycle_configuration", "storage/access-logs/lifecycle").rule.map((rule: any) => rule.id)).not.toContain("expire-objects");
  });

  test("only S3's logging service of this account may write access logs: each source bucket under its own prefix only", () => {
    const json = synthStorage({}, (storage) => probe(storage, "delivery", storage.grantServerAccessLogs("tap-dev-cloudtrail-123456789012")));
    expect(probed(json, "delivery") as AccessLogDelivery).toMatchObject({ targetBucket: referenceTo(json, "aws_s3_bucket", "storage/access-logs/bucket", "id"), targetPrefix: "s3/tap-dev-cloudtrail-123456789012/" });
    const grant = (source: string, sid: string) => ({
      sid,
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      actions: ["s3:PutObject"],
      resources: [`arn:aws:s3:::tap-dev-eu-central-1-logs-123456789012/s3/${source}/*`],
      condition: [
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:s3:::${source}`] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
      ],
    });
    expect(dataSourceAt(json, "aws_iam_policy_document", "storage/access-logs/policy-document").statement.slice(2)).toEqual([
      grant("tap-dev-eu-central-1-data-123456789012", "S3ServerAccessLogs1"),
      grant("tap-dev-cloudtrail-123456789012", "S3ServerAccessLogs2"),
    ]);
    // Logging is set up only once the target's policy lets S3 logging write (S3 checks it then).
    expect(resourceAt(json, "aws_s3_bucket_logging", "storage/data/access-logging").depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.storage_access-logs_policy_/)]);
  });

  test("as the region's EBS default key, EC2 of this region may use it for any principal of this account, and nothing else", () => {
    expect(statement(json, "storage/key-policy", "EbsThroughEc2OfThisAccount")).toBeUndefined();
    const json2 = synthStorage({}, (storage) => storage.grantEbsDefaultEncryption());
    expect(statement(json2, "storage/key-policy", "EbsThroughEc2OfThisAccount")).toMatchObject({
      principals: [{ type: "AWS", identifiers: ["*"] }],
      condition: [
        { test: "StringEquals", variable: "kms:CallerAccount", values: [ACCOUNT_ID] },
        { test: "StringEquals", variable: "kms:ViaService", values: ["ec2.eu-central-1.amazonaws.com"] },
      ],
    });
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

  test("leaves the region's API Gateway account settings alone (GlobalIdentity owns them)", () => {
    expect(json.resource?.aws_api_gateway_account).toBeUndefined();
  });

  test.each([
    [{ logRetentionDays: 366 }, /'logRetentionDays' must be one of .*Received: 366/],
    [{ noncurrentVersionExpirationDays: 0 }, /'noncurrentVersionExpirationDays' must be a whole number of at least 1\. Received: 0/],
    [{ naming: { project: "tap", environment: "e".repeat(30), region: REGION } }, /the S3 bucket name "tap-e{30}-eu-central-1-data-123456789012" is invalid \(65 characters; S3 allows 3 to 63\)/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthStorage(props)).toThrow(message);
  });
});
