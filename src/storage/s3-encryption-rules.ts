import { customerManagedKey, fail, PASS, Rule } from "../compliance/rule";
import { isOutcome, bucketPolicyStatements, isAccessLogTarget, defaultEncryption } from "./s3-bucket-view";

/** How a bucket's objects are encrypted: data under a customer-managed key, access-log targets with SSE-S3. */
export const S3_ENCRYPTION_RULES: readonly Rule[] = [
  {
    id: "S3.KmsCustomerManagedKey",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket is not encrypted by default with SSE-KMS under a customer-managed key (server access log targets excepted: see S3.AccessLogTarget).",
    explanation: "SSE-S3 or the AWS-managed aws/s3 key cannot be rotated, audited or restricted by your own key policy.",
    fix: "Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and kms_master_key_id set to an aws_kms_key you manage.",
    checkov: "CKV_AWS_145 (checks aws:kms only, not whose key)",
    fsbp: [],
    check(bucket, stack) {
      if (isAccessLogTarget(stack, bucket)) return PASS;
      const encryption = defaultEncryption(stack, bucket);
      if (isOutcome(encryption)) return encryption;
      if (!encryption.algorithm || !["aws:kms", "aws:kms:dsse"].includes(encryption.algorithm)) {
        return fail(`sse_algorithm is ${encryption.algorithm ?? "unset"}, not aws:kms`);
      }
      // Without a key id, S3 uses the AWS-managed aws/s3 key.
      return customerManagedKey(stack, encryption.key ?? "alias/aws/s3", "kms_master_key_id", "alias/aws/s3");
    },
  },
  {
    id: "S3.AccessLogTarget",
    appliesTo: ["aws_s3_bucket"],
    info: "A bucket that receives server access logs is not SSE-S3 encrypted, or lets more than S3's logging service of this account write.",
    explanation:
      "S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS, so deliveries fail silently; and a log bucket that others may write to holds logs nobody can trust.",
    fix: 'Encrypt the target with sse_algorithm AES256, and grant s3:PutObject in its policy only to "logging.s3.amazonaws.com" with an aws:SourceAccount condition (and aws:SourceArn naming the source buckets).',
    fsbp: [],
    check(bucket, stack) {
      if (!isAccessLogTarget(stack, bucket)) return PASS;
      const encryption = defaultEncryption(stack, bucket);
      if (isOutcome(encryption)) return encryption;
      if (encryption.algorithm !== "AES256") return fail(`sse_algorithm is ${encryption.algorithm ?? "unset"}; S3 logging needs AES256`);
      const statements = bucketPolicyStatements(stack, bucket);
      if (isOutcome(statements)) return statements;
      const writers = statements.filter((s) => s.effect === "Allow" && s.actions.some((a) => a === "s3:PutObject" || a === "s3:*" || a === "*"));
      const logging = writers.filter((s) => s.principals.every((p) => p.type === "Service" && p.identifiers.every((id) => id === "logging.s3.amazonaws.com")));
      if (logging.length === 0) return fail("the policy does not grant logging.s3.amazonaws.com s3:PutObject");
      const other = writers.find((s) => !logging.includes(s));
      if (other) return fail(`statement ${other.sid ?? "(no sid)"} lets another principal write`);
      const unscoped = logging.find((s) => !s.conditions.some((c) => c.variable.toLowerCase() === "aws:sourceaccount"));
      return unscoped ? fail(`statement ${unscoped.sid ?? "(no sid)"} has no aws:SourceAccount condition`) : PASS;
    },
  },
];
