import { fail, isReference, Outcome, PASS, PolicyStatement, Rule, StackElement, StackView, unknown } from "../rule";

/** The companion resource (`aws_s3_bucket_<x>`) configuring `bucket`, if exactly one exists. */
function companion(stack: StackView, type: string, bucket: StackElement): StackElement | Outcome {
  const found = stack.referencing(type, "bucket", bucket);
  if (found.length === 0) return fail(`no ${type} for this bucket`);
  return found[0];
}

const isOutcome = (value: object): value is Outcome => !Array.isArray(value) && "status" in value;
/** Nested blocks synthesize as objects from cdktf and as one-element lists from HCL. */
const first = (value: unknown): any => (Array.isArray(value) ? value[0] : value);

/** Statements of the bucket's policy, or an outcome explaining why there are none to read. */
function bucketPolicyStatements(stack: StackView, bucket: StackElement): readonly PolicyStatement[] | Outcome {
  const policy = companion(stack, "aws_s3_bucket_policy", bucket);
  if (isOutcome(policy)) return policy;
  const statements = stack.policyStatements(policy.body.policy);
  return statements ?? unknown("the bucket policy is computed at apply time and cannot be read");
}

const isEveryone = (statement: PolicyStatement) =>
  statement.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"));

/** Passes when the bucket's policy has a Deny-to-everyone statement with a matching condition. */
function policyDenies(
  stack: StackView,
  bucket: StackElement,
  matches: (condition: PolicyStatement["conditions"][number]) => boolean,
  missing: string,
): Outcome {
  const statements = bucketPolicyStatements(stack, bucket);
  if (isOutcome(statements)) return statements;
  return statements.some((s) => s.effect === "Deny" && isEveryone(s) && s.conditions.some(matches)) ? PASS : fail(missing);
}

export const S3_RULES: readonly Rule[] = [
  {
    id: "S3.PublicAccessBlock",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket does not block public access with all four public-access-block settings.",
    explanation: "Without the block, one ACL or policy change can make objects public.",
    fix: "Add an aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    cis: "2.1.4",
    checkov: "CKV2_AWS_6, CKV_AWS_53-56",
    check(bucket, stack) {
      const block = companion(stack, "aws_s3_bucket_public_access_block", bucket);
      if (isOutcome(block)) return block;
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      if (flags.some((flag) => isReference(block.body[flag]))) return unknown("a public-access-block flag is computed at apply time");
      const off = flags.filter((flag) => block.body[flag] !== true);
      return off.length === 0 ? PASS : fail(`${off.join(", ")} not true`);
    },
  },
  {
    id: "S3.KmsCustomerManagedKey",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket is not encrypted by default with SSE-KMS under a customer-managed key.",
    explanation: "SSE-S3 or the AWS-managed aws/s3 key cannot be rotated, audited or restricted by your own key policy.",
    fix: "Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and kms_master_key_id set to an aws_kms_key you manage.",
    checkov: "CKV_AWS_145",
    check(bucket, stack) {
      const encryption = companion(stack, "aws_s3_bucket_server_side_encryption_configuration", bucket);
      if (isOutcome(encryption)) return encryption;
      const byDefault = first(first(encryption.body.rule)?.apply_server_side_encryption_by_default);
      if (!byDefault || !["aws:kms", "aws:kms:dsse"].includes(byDefault.sse_algorithm)) {
        return fail(`sse_algorithm is ${byDefault?.sse_algorithm ?? "unset"}, not aws:kms`);
      }
      const key = byDefault.kms_master_key_id;
      if (key === undefined || key === "alias/aws/s3") return fail("no customer-managed key: the AWS-managed aws/s3 key is used");
      const referenced = stack.referencedElement(key);
      if (referenced) return referenced.type === "aws_kms_key" ? PASS : fail(`kms_master_key_id refers to a ${referenced.type}`);
      return isReference(key) ? unknown("kms_master_key_id refers to something outside this stack") : PASS;
    },
  },
  {
    id: "S3.TlsOnly",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket policy does not deny requests made without TLS.",
    explanation: "Without an explicit deny on aws:SecureTransport=false, clients can read and write over plain HTTP.",
    fix: 'Add a bucket policy statement: Deny s3:* to principal "*" on the bucket and its objects when aws:SecureTransport is false.',
    cis: "2.1.1",
    check: (bucket, stack) =>
      policyDenies(
        stack,
        bucket,
        (c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.includes("false"),
        "no Deny statement on aws:SecureTransport = false",
      ),
  },
  {
    id: "S3.MinimumTls12",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket policy does not deny TLS versions below 1.2.",
    explanation: "TLS 1.0 and 1.1 have known weaknesses; S3 still accepts them unless the policy refuses them.",
    fix: 'Add a bucket policy statement: Deny s3:* to principal "*" when NumericLessThan s3:TlsVersion 1.2.',
    check: (bucket, stack) =>
      policyDenies(
        stack,
        bucket,
        (c) => c.test === "NumericLessThan" && c.variable === "s3:TlsVersion" && c.values.some((v) => Number(v) >= 1.2),
        "no Deny statement on s3:TlsVersion < 1.2",
      ),
  },
  {
    id: "S3.Versioning",
    appliesTo: ["aws_s3_bucket"],
    info: "Versioning is not enabled on the bucket.",
    explanation: "Without versions, an overwrite or delete loses data for good.",
    fix: "Add an aws_s3_bucket_versioning with versioning_configuration status Enabled.",
    checkov: "CKV_AWS_21",
    check(bucket, stack) {
      const versioning = companion(stack, "aws_s3_bucket_versioning", bucket);
      if (isOutcome(versioning)) return versioning;
      const status = first(versioning.body.versioning_configuration)?.status;
      return status === "Enabled" ? PASS : fail(`versioning status is ${status ?? "unset"}`);
    },
  },
  {
    id: "S3.OwnershipEnforced",
    appliesTo: ["aws_s3_bucket"],
    info: "ACLs are not disabled on the bucket (object ownership is not BucketOwnerEnforced).",
    explanation: "With ACLs enabled, objects written by other accounts can stay out of the bucket owner's control.",
    fix: "Add an aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced.",
    checkov: "CKV2_AWS_65",
    check(bucket, stack) {
      const controls = companion(stack, "aws_s3_bucket_ownership_controls", bucket);
      if (isOutcome(controls)) return controls;
      const ownership = first(controls.body.rule)?.object_ownership;
      return ownership === "BucketOwnerEnforced" ? PASS : fail(`object_ownership is ${ownership ?? "unset"}`);
    },
  },
  {
    id: "S3.AbortIncompleteUploads",
    appliesTo: ["aws_s3_bucket"],
    info: "No lifecycle rule aborts incomplete multipart uploads.",
    explanation: "Parts of abandoned uploads are stored, and billed, until someone deletes them.",
    fix: "Add an aws_s3_bucket_lifecycle_configuration rule with abort_incomplete_multipart_upload.",
    checkov: "CKV_AWS_300",
    check(bucket, stack) {
      const lifecycle = companion(stack, "aws_s3_bucket_lifecycle_configuration", bucket);
      if (isOutcome(lifecycle)) return lifecycle;
      const rules: any[] = [lifecycle.body.rule ?? []].flat();
      return rules.some((r) => r.status === "Enabled" && first(r.abort_incomplete_multipart_upload)?.days_after_initiation > 0)
        ? PASS
        : fail("no enabled rule with abort_incomplete_multipart_upload");
    },
  },
];
