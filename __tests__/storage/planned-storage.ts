import { TEST_ACCOUNT_ID } from "../../scripts/terraform/workdir";
import type { PlannedStack } from "../terraform/planned-stack";

/** The Terraform tier's checks of the storage concern in a real plan (see describePlannedStack). */
export function describePlannedStorage(stack: PlannedStack): void {
  const { config, changes, inRegion } = stack;
  describe("storage: keys, buckets, bucket policies, replication", () => {
    test("KMS keys rotate, keep a 30-day deletion window and let this region's CloudWatch Logs use them for exactly this deployment's log groups", () => {
      expect(changes("aws_kms_key").every((key) => key.change.after.enable_key_rotation === true && key.change.after.deletion_window_in_days === 30)).toBe(true);
      for (const key of changes("aws_kms_key").filter((c) => c.address.includes(".storage-"))) {
        const region = inRegion(key);
        expect(key.change.after).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
        const policy = JSON.parse(key.change.after.policy);
        const prefix = `${config.project}-${config.environment}-${region}`;
        expect(policy.Statement).toContainEqual(
          expect.objectContaining({
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Condition: {
              ArnEquals: {
                "kms:EncryptionContext:aws:logs:arn": [
                  `arn:aws:logs:${region}:${TEST_ACCOUNT_ID}:log-group:/aws/apigateway/${prefix}-access`,
                  `arn:aws:logs:${region}:${TEST_ACCOUNT_ID}:log-group:/aws/vpc/flow-logs/${prefix}-vpc`,
                ],
              },
            },
          }),
        );
        expect(policy.Statement).toContainEqual(expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` } }));
        expect(key.change.after.lifecycle).toBeUndefined();
      }
    });
    test("buckets are named per account and region, block public access, use SSE-KMS (log targets SSE-S3), version, and keep data in production", () => {
      const production = config.protectData.enabled;
      const prefix = `${config.project}-${config.environment}`;
      expect(changes("aws_s3_bucket").map((bucket) => bucket.change.after.bucket).sort()).toEqual(
        [
          ...config.regions.flatMap(({ region }) => [`${prefix}-${region}-data-${TEST_ACCOUNT_ID}`, `${prefix}-${region}-logs-${TEST_ACCOUNT_ID}`]),
          ...(config.manageAccountSettings ? [`${prefix}-cloudtrail-${TEST_ACCOUNT_ID}`] : []),
        ].sort(),
      );
      for (const bucket of changes("aws_s3_bucket")) expect(bucket.change.after.force_destroy).toBe(!production);
      for (const block of changes("aws_s3_bucket_public_access_block")) {
        expect(block.change.after).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      }
      for (const encryption of changes("aws_s3_bucket_server_side_encryption_configuration")) {
        if (encryption.address.includes("_access-logs_")) {
          expect(encryption.change.after.rule).toEqual([expect.objectContaining({ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256", kms_master_key_id: "" }] })]);
          continue;
        }
        expect(encryption.change.after.rule).toEqual([expect.objectContaining({ bucket_key_enabled: true, apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] })]);
        expect(encryption.change.after_unknown.rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id).toBe(true);
      }
      expect(changes("aws_s3_bucket_notification").map((n) => n.change.after.eventbridge)).toEqual(changes("aws_s3_bucket").map(() => true));
      // Every bucket but the access-log targets logs its requests to its region's access-log bucket.
      expect(changes("aws_s3_bucket_logging")).toHaveLength(changes("aws_s3_bucket").length - config.regions.length);
      for (const versioning of changes("aws_s3_bucket_versioning")) {
        expect(versioning.change.after.versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
      }
      for (const ownership of changes("aws_s3_bucket_ownership_controls")) {
        expect(ownership.change.after.rule).toEqual([{ object_ownership: "BucketOwnerEnforced" }]);
      }
    });
    test("bucket policies deny plain HTTP and TLS below 1.2; access-log buckets let only S3 logging of this account write", () => {
      const documents = changes("aws_iam_policy_document", "data").filter((c) => /_(data|access-logs|bucket)_policy-document_/.test(c.name));
      expect(documents).toHaveLength(changes("aws_s3_bucket").length);
      for (const document of documents) {
        const conditions = document.change.after.statement.slice(0, 2).map((s: any) => [s.effect, s.condition[0].test, s.condition[0].variable, s.condition[0].values]);
        expect(conditions).toEqual([
          ["Deny", "Bool", "aws:SecureTransport", ["false"]],
          ["Deny", "NumericLessThan", "s3:TlsVersion", ["1.2"]],
        ]);
      }
      for (const document of documents.filter((c) => c.name.includes("_access-logs_"))) {
        const grant = document.change.after.statement[2];
        expect(grant).toMatchObject({ principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }], actions: ["s3:PutObject"] });
        expect(grant.condition).toContainEqual(expect.objectContaining({ variable: "aws:SourceAccount", values: [TEST_ACCOUNT_ID] }));
      }
    });
    test("each region's data bucket replicates to the next region's, with KMS-encrypted replicas and deletes kept in their region", () => {
      const configs = changes("aws_s3_bucket_replication_configuration");
      expect(configs.map(inRegion).sort()).toEqual(config.replication ? config.regions.map(({ region }) => region).sort() : []);
      for (const replication of configs) {
        expect(replication.change.after.rule).toEqual([
          expect.objectContaining({ status: "Enabled", delete_marker_replication: [{ status: "Disabled" }], source_selection_criteria: [expect.objectContaining({ sse_kms_encrypted_objects: [{ status: "Enabled" }] })] }),
        ]);
      }
    });
  });
}
