import { HardenedBucket, HardenedBucketProps, IAccessLogTarget } from "../../src/storage/hardened-bucket";
import { dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "eu-central-1";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const baseProps: Omit<HardenedBucketProps, "provider"> = { bucketName: "acme-dev-data-123456789012", nameTag: "acme-dev-data", kmsKeyArn: KEY_ARN };

function synthBucket(props: Partial<HardenedBucketProps> = {}, use: (bucket: HardenedBucket) => void = () => {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => use(new HardenedBucket(scope, "bucket", { ...baseProps, ...props, provider })));
}

/** A log target that records which source buckets asked it for a grant. */
function logTarget(targetBucket: string): IAccessLogTarget & { sources: string[] } {
  const sources: string[] = [];
  return { sources, grantServerAccessLogs: (source) => (sources.push(source), { targetBucket, targetPrefix: `s3/${source}/` }) };
}

const statement = (json: SynthJson, sid: string) => dataSourceAt(json, "aws_iam_policy_document", "bucket/policy-document").statement.find((s: any) => s.sid === sid);

describe("HardenedBucket", () => {
  const json = synthBucket();
  const bucketId = referenceTo(json, "aws_s3_bucket", "bucket/bucket", "id");
  const bucketArn = referenceTo(json, "aws_s3_bucket", "bucket/bucket", "arn");

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf(REGION, (scope, provider) => new HardenedBucket(scope, "bucket", { ...baseProps, provider, accessLogs: logTarget("logs") }))).toMatchSnapshot();
  });

  test("the bucket has its name and Name tag, and force_destroy unless protected", () => {
    expect(resourceAt(json, "aws_s3_bucket", "bucket/bucket")).toMatchObject({ bucket: "acme-dev-data-123456789012", force_destroy: true, tags: { Name: "acme-dev-data" }, provider: "aws.eu-central-1" });
    expect(resourceAt(synthBucket({ protect: true }), "aws_s3_bucket", "bucket/bucket")).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  test("all four public-access-block flags are on and ACLs are disabled (BucketOwnerEnforced)", () => {
    expect(resourceAt(json, "aws_s3_bucket_public_access_block", "bucket/public-access-block")).toMatchObject({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resourceAt(json, "aws_s3_bucket_ownership_controls", "bucket/ownership")).toMatchObject({ bucket: bucketId, rule: { object_ownership: "BucketOwnerEnforced" } });
  });

  test("SSE-KMS with the given key and bucket keys; SSE-S3 without a key", () => {
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "bucket/encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY_ARN }, bucket_key_enabled: true },
    ]);
    expect(resourceAt(synthBucket({ kmsKeyArn: undefined }), "aws_s3_bucket_server_side_encryption_configuration", "bucket/encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
  });

  test("versioning is enabled", () => {
    expect(resourceAt(json, "aws_s3_bucket_versioning", "bucket/versioning")).toMatchObject({ bucket: bucketId, versioning_configuration: { status: "Enabled" } });
  });

  test("the policy denies requests without TLS and below TLS 1.2, then grants the extra statements, after the public-access block exists", () => {
    const everyone = [{ type: "*", identifiers: ["*"] }];
    const resources = [bucketArn, `${bucketArn}/*`];
    expect(statement(json, "DenyInsecureTransport")).toEqual({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: everyone,
      actions: ["s3:*"],
      resources,
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(statement(json, "DenyTlsBelow12")).toMatchObject({ effect: "Deny", principals: everyone, resources, condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }] });
    expect(resourceAt(json, "aws_s3_bucket_policy", "bucket/policy")).toMatchObject({
      bucket: bucketId,
      policy: dataReferenceTo(json, "aws_iam_policy_document", "bucket/policy-document", "json"),
      depends_on: [expect.stringMatching(/^aws_s3_bucket_public_access_block\./)],
    });
    const extra = synthBucket({ policyStatements: [{ sid: "ServiceWrites", effect: "Allow", actions: ["s3:PutObject"], resources: ["x"], principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }] }] });
    expect(dataSourceAt(extra, "aws_iam_policy_document", "bucket/policy-document").statement.map((s: any) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "ServiceWrites"]);
  });

  test("lifecycle aborts incomplete uploads and expires noncurrent versions once versioning is on; current objects expire only when asked", () => {
    const lifecycle = resourceAt(json, "aws_s3_bucket_lifecycle_configuration", "bucket/lifecycle");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({ id: "abort-incomplete-multipart-uploads", status: "Enabled", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
      expect.objectContaining({ id: "expire-noncurrent-versions", status: "Enabled", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    ]);
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    const expiring = resourceAt(synthBucket({ expirationDays: 400, noncurrentVersionExpirationDays: 30 }), "aws_s3_bucket_lifecycle_configuration", "bucket/lifecycle").rule;
    expect(expiring.map((rule: any) => [rule.id, rule.noncurrent_version_expiration ?? rule.expiration ?? null])).toEqual([
      ["abort-incomplete-multipart-uploads", null],
      ["expire-noncurrent-versions", [{ noncurrent_days: 30 }]],
      ["expire-objects", [{ days: 400 }]],
    ]);
  });

  test("every bucket notifies EventBridge; access logging only when a target is given, which the target grants first", () => {
    expect(resourceAt(json, "aws_s3_bucket_notification", "bucket/notifications")).toMatchObject({ bucket: bucketId, eventbridge: true });
    expect(resourcesOf(json, "aws_s3_bucket_logging")).toEqual([]);
    const target = logTarget("acme-logs");
    const logged = synthBucket({ accessLogs: target });
    expect(target.sources).toEqual(["acme-dev-data-123456789012"]);
    expect(resourceAt(logged, "aws_s3_bucket_logging", "bucket/access-logging")).toMatchObject({ target_bucket: "acme-logs", target_prefix: "s3/acme-dev-data-123456789012/" });
  });

  test("addToResourcePolicy appends a statement after the TLS denials and the grants given as props", () => {
    const grant = (sid: string) => ({ sid, effect: "Allow", principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }], actions: ["s3:PutObject"], resources: ["*"] });
    const json = synthBucket({ policyStatements: [grant("FromProps")] }, (bucket) => bucket.addToResourcePolicy(grant("Added")));
    const sids = dataSourceAt(json, "aws_iam_policy_document", "bucket/policy-document").statement.map((s: any) => s.sid);
    expect(sids).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "FromProps", "Added"]);
  });

  test.each([
    [{ noncurrentVersionExpirationDays: 0 }, /'noncurrentVersionExpirationDays' must be a whole number of at least 1\. Received: 0/],
    [{ expirationDays: 1.5 }, /'expirationDays' must be a whole number of at least 1\. Received: 1\.5/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthBucket(props)).toThrow(message);
  });

  test("as a log target it grants each source its own statement (distinct Sids, which IAM requires) under that source's prefix", () => {
    const deliveries: unknown[] = [];
    const logs = synthBucket({ kmsKeyArn: undefined, logTargetOf: { accountId: "123456789012", partition: "aws" } }, (bucket) => {
      deliveries.push(bucket.grantServerAccessLogs("acme-dev-data-1"), bucket.grantServerAccessLogs("acme-dev-data-2"));
    });
    expect(statement(logs, "S3ServerAccessLogs1").resources).toEqual(["arn:aws:s3:::acme-dev-data-123456789012/s3/acme-dev-data-1/*"]);
    expect(statement(logs, "S3ServerAccessLogs2").resources).toEqual(["arn:aws:s3:::acme-dev-data-123456789012/s3/acme-dev-data-2/*"]);
    expect(statement(logs, "S3ServerAccessLogs2").condition).toContainEqual({ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] });
    expect(deliveries).toMatchObject([{ targetPrefix: "s3/acme-dev-data-1/" }, { targetPrefix: "s3/acme-dev-data-2/" }]);
  });

  test("only a bucket made a log target grants log delivery, and a log target must be SSE-S3", () => {
    expect(() => synthBucket({}, (bucket) => bucket.grantServerAccessLogs("source"))).toThrow("bucket: is not a server access log target; create it with 'logTargetOf'");
    expect(() => synthBucket({ logTargetOf: { accountId: "123456789012", partition: "aws" } })).toThrow("'logTargetOf' needs SSE-S3");
  });
});
