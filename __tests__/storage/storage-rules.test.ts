import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { S3_ACCESS_RULES } from "../../src/storage/s3-access-rules";
import { S3_ENCRYPTION_RULES } from "../../src/storage/s3-encryption-rules";
import { S3_DATA_RULES } from "../../src/storage/s3-data-rules";
import { S3_LOGGING_RULES } from "../../src/storage/s3-logging-rules";
import { KMS_RULES } from "../../src/storage/kms-rules";
import { BrokenExamples, describeBrokenExamples, audit, resourceFailuresOf, bucket, document, longStatement } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "S3.PublicAccessBlock": [
    (s, p) => new S3BucketPublicAccessBlock(s, "pab", { provider: p, bucket: bucket(s, p).id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }),
    "rules/bucket",
  ],
  "S3.KmsCustomerManagedKey": [
    (s, p) => new S3BucketServerSideEncryptionConfigurationA(s, "sse", { provider: p, bucket: bucket(s, p).id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
    "rules/bucket",
  ],
  "S3.TlsOnly": [
    (s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: bucket(s, p).id, policy: document(s, p, [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] }]).json }),
    "rules/bucket",
  ],
  "S3.MinimumTls12": [
    (s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: bucket(s, p).id, policy: document(s, p, [{ effect: "Deny", actions: ["s3:*"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }], condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.0"] }] }]).json }),
    "rules/bucket",
  ],
  "S3.Versioning": [(s, p) => new S3BucketVersioningA(s, "versioning", { provider: p, bucket: bucket(s, p).id, versioningConfiguration: { status: "Suspended" } }), "rules/bucket"],
  "S3.OwnershipEnforced": [(s, p) => new S3BucketOwnershipControls(s, "ownership", { provider: p, bucket: bucket(s, p).id, rule: { objectOwnership: "ObjectWriter" } }), "rules/bucket"],
  "S3.AbortIncompleteUploads": [
    (s, p) => new S3BucketLifecycleConfiguration(s, "lifecycle", { provider: p, bucket: bucket(s, p).id, rule: [{ id: "x", status: "Enabled", filter: [{}], expiration: [{ days: 30 }] }] }),
    "rules/bucket",
  ],
  "KMS.Rotation": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: false, tags: { Name: "k" } }), "rules/key"],
  "KMS.KeyPolicy": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" } }), "rules/key"],
  "KMS.NoUnconditionedWildcardPrincipal": [
    (s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" }, policy: document(s, p, [{ sid: "Open", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }]).json }),
    "rules/key",
  ],
  "KMS.KeyPolicySize": [
    (s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" }, policy: document(s, p, [longStatement(700, { actions: ["kms:Decrypt"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] })]).json }),
    "rules/key",
  ],
  "S3.NoCrossAccountPolicyActions": [
    (s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: "b", policy: document(s, p, [{ sid: "Other", effect: "Allow", actions: ["s3:PutBucketPolicy"], resources: ["arn:aws:s3:::b"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:root"] }] }]).json }),
    "rules/policy",
  ],
  "S3.BucketPolicySize": [(s, p) => new S3BucketPolicy(s, "policy", { provider: p, bucket: "b", policy: document(s, p, [longStatement(430, { principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] })]).json }), "rules/policy"],
  "KMS.DeletionWindow": [(s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, deletionWindowInDays: 7, tags: { Name: "k" } }), "rules/key"],
  "S3.AccessLogging": [(s, p) => bucket(s, p), "rules/bucket"],
  "S3.AccessLogTarget": [
    (s, p) => {
      const target = new S3Bucket(s, "target", { provider: p, tags: { Name: "t" } });
      new S3BucketServerSideEncryptionConfigurationA(s, "target-sse", { provider: p, bucket: target.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
      new S3BucketLoggingA(s, "logging", { provider: p, bucket: bucket(s, p).id, targetBucket: target.id, targetPrefix: "s3/" });
    },
    "rules/target",
  ],
  "S3.EventNotifications": [(s, p) => new S3BucketNotification(s, "notification", { provider: p, bucket: bucket(s, p).id }), "rules/bucket"],
  "S3.CrossRegionReplication": [
    (s, p) =>
      new S3BucketReplicationConfigurationA(s, "replication", {
        provider: p,
        bucket: bucket(s, p).id,
        role: "arn:aws:iam::123456789012:role/r",
        rule: [{ id: "all", status: "Enabled", filter: { prefix: "" }, deleteMarkerReplication: { status: "Enabled" }, destination: { bucket: "arn:aws:s3:::elsewhere", encryptionConfiguration: { replicaKmsKeyId: "k" } }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } }],
      }),
    "rules/bucket",
  ],
};

describe("storage rules", () => {
  describeBrokenExamples([...S3_ACCESS_RULES, ...S3_ENCRYPTION_RULES, ...S3_DATA_RULES, ...S3_LOGGING_RULES, ...KMS_RULES], BROKEN);

  describe("KMS.NoUnconditionedWildcardPrincipal wants the account named, not just any condition", () => {
    const wildcardFailures = (condition: object[]) =>
      resourceFailuresOf(
        audit((s, p) => new KmsKey(s, "key", { provider: p, enableKeyRotation: true, tags: { Name: "k" }, policy: document(s, p, [{ sid: "Ebs", actions: ["kms:Decrypt"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }], condition }]).json })),
      ).map((f) => `${f.rule.id}: ${f.detail}`);

    test("kms:ViaService alone lets every account's EC2 calls through, so it fails; kms:CallerAccount passes", () => {
      expect(wildcardFailures([{ test: "StringEquals", variable: "kms:ViaService", values: ["ec2.us-east-1.amazonaws.com"] }])).toEqual([
        'KMS.NoUnconditionedWildcardPrincipal: statement Ebs allows "*" without holding it to one account',
      ]);
      expect(wildcardFailures([{ test: "StringEquals", variable: "kms:CallerAccount", values: ["123456789012"] }])).toEqual([]);
      expect(wildcardFailures([{ test: "StringNotEquals", variable: "kms:CallerAccount", values: ["123456789012"] }])).toHaveLength(1);
    });
  });

  test("access-log targets are judged as log buckets: SSE-S3, written only by S3 logging of this account", () => {
    const failures = (statement: object) =>
      audit((s, p) => {
        const target = new S3Bucket(s, "target", { provider: p, tags: { Name: "t" } });
        new S3BucketServerSideEncryptionConfigurationA(s, "target-sse", { provider: p, bucket: target.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
        new S3BucketPolicy(s, "target-policy", { provider: p, bucket: target.id, policy: document(s, p, [statement]).json });
        new S3BucketLoggingA(s, "logging", { provider: p, bucket: bucket(s, p).id, targetBucket: target.id, targetPrefix: "s3/" });
      }).failures.filter((f) => f.element.path === "rules/target" && f.rule.id.startsWith("S3.Access")).map((f) => `${f.rule.id}: ${f.detail}`);
    const logging = { sid: "Logs", actions: ["s3:PutObject"], resources: ["*"], principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }] };
    expect(failures({ ...logging, condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }] })).toEqual([]);
    expect(failures(logging)).toEqual(["S3.AccessLogTarget: statement Logs has no aws:SourceAccount condition"]);
    expect(failures({ ...logging, principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] })).toEqual(["S3.AccessLogTarget: the policy does not grant logging.s3.amazonaws.com s3:PutObject"]);
  });
});

describe("S3.NoCrossAccountPolicyActions (FSBP S3.6)", () => {
  const crossAccountFailures = (actions: string[], principal: string, pinned?: string[], effect = "Allow") =>
    audit((s) => {
      const provider = new AwsProvider(s, "pinned", { alias: "pinned", region: "us-east-1", allowedAccountIds: pinned });
      const caller = new DataAwsCallerIdentity(s, "caller", { provider });
      const identifier = principal.replace("<caller>", caller.accountId);
      new S3BucketPolicy(s, "policy", {
        provider,
        bucket: "b",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: effect, Action: actions, Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Principal: identifier === "*" ? "*" : { AWS: identifier } }] }),
      });
    })
      .failures.filter((f) => f.rule.id === "S3.NoCrossAccountPolicyActions")
      .map((f) => f.detail);

  test("each of the control's actions granted to another account fails, also by wildcard and to everyone", () => {
    for (const action of ["s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"]) {
      expect(crossAccountFailures([action], "arn:aws:iam::111122223333:role/r")).toEqual([`statement S allows ${action} to arn:aws:iam::111122223333:role/r, outside this account`]);
    }
    expect(crossAccountFailures(["s3:Put*"], "111122223333")).toEqual(["statement S allows s3:PutBucketAcl, s3:PutBucketPolicy, s3:PutEncryptionConfiguration, s3:PutObjectAcl to 111122223333, outside this account"]);
    expect(crossAccountFailures(["s3:*"], "*")).toEqual(["statement S allows s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutBucketPolicy, s3:PutEncryptionConfiguration, s3:PutObjectAcl to *, outside this account"]);
  });

  test("this account (caller identity or the pinned account), object actions and Deny statements pass", () => {
    expect(crossAccountFailures(["s3:*"], "arn:aws:iam::<caller>:root")).toEqual([]);
    expect(crossAccountFailures(["s3:PutBucketPolicy"], "arn:aws:iam::444455556666:role/admin", ["444455556666"])).toEqual([]);
    expect(crossAccountFailures(["s3:GetObject", "s3:PutObject"], "arn:aws:iam::111122223333:root")).toEqual([]);
    expect(crossAccountFailures(["s3:*"], "*", undefined, "Deny")).toEqual([]);
  });
});
