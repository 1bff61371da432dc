import { fail, isReference, Outcome, PASS, PolicyStatement, Rule, StackElement, StackView, unknown } from "../compliance/rule";

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

/** True when `bucket` receives server access logs from some bucket of the stack. */
export function isAccessLogTarget(stack: StackView, bucket: StackElement): boolean {
  return stack.referencing("aws_s3_bucket_logging", "target_bucket", bucket).length > 0;
}

/** True when a CloudTrail trail of the stack delivers to `bucket`. */
export function isTrailBucket(stack: StackView, bucket: StackElement): boolean {
  return stack.referencing("aws_cloudtrail", "s3_bucket_name", bucket).length > 0;
}

/**
 * Data buckets hold what workloads store; log buckets (access-log targets, trail buckets) hold
 * what AWS services deliver and are judged by the rules written for them.
 */
export function isDataBucket(stack: StackView, bucket: StackElement): boolean {
  return !isAccessLogTarget(stack, bucket) && !isTrailBucket(stack, bucket);
}

/** The default-encryption algorithm and key of a bucket, or why they cannot be read. */
function defaultEncryption(stack: StackView, bucket: StackElement): { algorithm?: string; key?: unknown } | Outcome {
  const encryption = companion(stack, "aws_s3_bucket_server_side_encryption_configuration", bucket);
  if (isOutcome(encryption)) return encryption;
  const byDefault = first(first(encryption.body.rule)?.apply_server_side_encryption_by_default);
  return { algorithm: byDefault?.sse_algorithm, key: byDefault?.kms_master_key_id };
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
    info: "The bucket is not encrypted by default with SSE-KMS under a customer-managed key (server access log targets excepted: see S3.AccessLogTarget).",
    explanation: "SSE-S3 or the AWS-managed aws/s3 key cannot be rotated, audited or restricted by your own key policy.",
    fix: "Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and kms_master_key_id set to an aws_kms_key you manage.",
    checkov: "CKV_AWS_145 (checks aws:kms only, not whose key)",
    check(bucket, stack) {
      if (isAccessLogTarget(stack, bucket)) return PASS;
      const encryption = defaultEncryption(stack, bucket);
      if (isOutcome(encryption)) return encryption;
      if (!encryption.algorithm || !["aws:kms", "aws:kms:dsse"].includes(encryption.algorithm)) {
        return fail(`sse_algorithm is ${encryption.algorithm ?? "unset"}, not aws:kms`);
      }
      const key = encryption.key;
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
  {
    id: "S3.AccessLogging",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket has no server access logging (a bucket that is itself an access-log target excepted).",
    explanation: "Server access logs record every request to the bucket, including those CloudTrail data events do not cover (anonymous and failed requests).",
    fix: "Add an aws_s3_bucket_logging that delivers to the region's access-log bucket.",
    cis: "3.4 (the CloudTrail bucket)",
    checkov: "CKV_AWS_18",
    check(bucket, stack) {
      if (isAccessLogTarget(stack, bucket)) return PASS;
      const logging = companion(stack, "aws_s3_bucket_logging", bucket);
      if (isOutcome(logging)) return logging;
      const target = stack.referencedElement(logging.body.target_bucket);
      if (target === bucket) return fail("the bucket logs to itself, so every delivery is logged again");
      return PASS;
    },
  },
  {
    id: "S3.AccessLogTarget",
    appliesTo: ["aws_s3_bucket"],
    info: "A bucket that receives server access logs is not SSE-S3 encrypted, or lets more than S3's logging service of this account write.",
    explanation:
      "S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS, so deliveries fail silently; and a log bucket that others may write to holds logs nobody can trust.",
    fix: 'Encrypt the target with sse_algorithm AES256, and grant s3:PutObject in its policy only to "logging.s3.amazonaws.com" with an aws:SourceAccount condition (and aws:SourceArn naming the source buckets).',
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
  {
    id: "S3.EventNotifications",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket sends no event notifications to EventBridge.",
    explanation: "With EventBridge on, every object event can drive detection and automation without changing the bucket again.",
    fix: "Add an aws_s3_bucket_notification with eventbridge = true.",
    checkov: "CKV2_AWS_62",
    check(bucket, stack) {
      const notification = companion(stack, "aws_s3_bucket_notification", bucket);
      if (isOutcome(notification)) return notification;
      return notification.body.eventbridge === true ? PASS : fail("eventbridge is not true");
    },
  },
  {
    id: "S3.CrossRegionReplication",
    appliesTo: ["aws_s3_bucket"],
    info: "The data bucket does not replicate to another region with KMS-encrypted replicas, keeping deletes in their region.",
    explanation: "A second region keeps the data when a region, a key or a bucket is lost; replicating delete markers would carry a mistaken delete to the copy.",
    fix: "Add an aws_s3_bucket_replication_configuration to a bucket in another region: sse_kms_encrypted_objects enabled, replica_kms_key_id set, delete_marker_replication Disabled.",
    checkov: "CKV_AWS_144",
    check(bucket, stack) {
      if (!isDataBucket(stack, bucket)) return PASS;
      const replication = companion(stack, "aws_s3_bucket_replication_configuration", bucket);
      if (isOutcome(replication)) return replication;
      const rules: any[] = [replication.body.rule ?? []].flat();
      const enabled = rules.filter((rule) => rule.status === "Enabled");
      if (enabled.length === 0) return fail("no enabled replication rule");
      for (const rule of enabled) {
        const destination = stack.referencedElement(first(rule.destination)?.bucket);
        if (destination && stack.providerOf(destination) === stack.providerOf(bucket)) return fail(`rule ${rule.id} replicates within the same region`);
        if (first(rule.delete_marker_replication)?.status !== "Disabled") return fail(`rule ${rule.id} replicates delete markers`);
        if (!first(first(rule.destination)?.encryption_configuration)?.replica_kms_key_id) return fail(`rule ${rule.id} sets no replica_kms_key_id`);
        if (first(first(rule.source_selection_criteria)?.sse_kms_encrypted_objects)?.status !== "Enabled") return fail(`rule ${rule.id} skips SSE-KMS objects`);
      }
      return PASS;
    },
  },
  {
    id: "S3.AccountPublicAccessBlock",
    appliesTo: ["stack"],
    info: "The account does not block public access to S3 at account level.",
    explanation: "The account-level block overrides every bucket's own settings, including buckets created outside this stack.",
    fix: "Add an aws_s3_account_public_access_block with all four flags true (the account-settings owner's AccountGuardrails does).",
    cis: "2.1.4",
    checkov: "CKV_AWS_53-56 (bucket-level only)",
    check(_stack, stack) {
      const [block] = stack.ofType("aws_s3_account_public_access_block");
      if (!block) return fail("no aws_s3_account_public_access_block");
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      const off = flags.filter((flag) => block.body[flag] !== true);
      return off.length === 0 ? PASS : fail(`${off.join(", ")} not true`);
    },
  },
];
