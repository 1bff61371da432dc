/**
 * What the S3 rules share: a bucket's companion resources (encryption, policy, logging), its
 * policy statements, and which kind of bucket it is (data, access-log target, trail bucket).
 */
import { fail, firstBlock, Outcome, PASS, PolicyStatement, StackElement, StackView, unknown } from "../compliance/rule";

/** The companion resource (`aws_s3_bucket_<x>`) configuring `bucket`, if exactly one exists. */
export function companion(stack: StackView, type: string, bucket: StackElement): StackElement | Outcome {
  const found = stack.referencing(type, "bucket", bucket);
  if (found.length === 0) return fail(`no ${type} for this bucket`);
  return found[0];
}

export const isOutcome = (value: object): value is Outcome => !Array.isArray(value) && "status" in value;

/** Statements of the bucket's policy, or an outcome explaining why there are none to read. */
export function bucketPolicyStatements(stack: StackView, bucket: StackElement): readonly PolicyStatement[] | Outcome {
  const policy = companion(stack, "aws_s3_bucket_policy", bucket);
  if (isOutcome(policy)) return policy;
  const statements = stack.policyStatements(policy.body.policy);
  return statements ?? unknown("the bucket policy is computed at apply time and cannot be read");
}

/** True when `bucket` receives server access logs from some bucket of the stack. */
export function isAccessLogTarget(stack: StackView, bucket: StackElement): boolean {
  return stack.referencing("aws_s3_bucket_logging", "target_bucket", bucket).length > 0;
}

/**
 * True when a CloudTrail trail delivers to `bucket`: a trail of the stack names it, or its policy
 * lets CloudTrail write to it (an organization's log archive, whose trail is another account's).
 */
export function isTrailBucket(stack: StackView, bucket: StackElement): boolean {
  if (stack.referencing("aws_cloudtrail", "s3_bucket_name", bucket).length > 0) return true;
  const statements = stack.referencing("aws_s3_bucket_policy", "bucket", bucket).length > 0 ? bucketPolicyStatements(stack, bucket) : [];
  return (
    !isOutcome(statements) &&
    statements.some(
      (statement) =>
        statement.effect === "Allow" &&
        statement.actions.includes("s3:PutObject") &&
        statement.principals.some((principal) => principal.type === "Service" && principal.identifiers.includes("cloudtrail.amazonaws.com")),
    )
  );
}

/**
 * Data buckets hold what workloads store; log buckets (access-log targets, trail buckets) hold
 * what AWS services deliver and are judged by the rules written for them.
 */
export function isDataBucket(stack: StackView, bucket: StackElement): boolean {
  return !isAccessLogTarget(stack, bucket) && !isTrailBucket(stack, bucket);
}

/** The default-encryption algorithm and key of a bucket, or why they cannot be read. */
export function defaultEncryption(stack: StackView, bucket: StackElement): { algorithm?: string; key?: unknown } | Outcome {
  const encryption = companion(stack, "aws_s3_bucket_server_side_encryption_configuration", bucket);
  if (isOutcome(encryption)) return encryption;
  const byDefault = firstBlock(firstBlock(encryption.body.rule)?.apply_server_side_encryption_by_default);
  return { algorithm: byDefault?.sse_algorithm, key: byDefault?.kms_master_key_id };
}

const isEveryone = (statement: PolicyStatement) =>
  statement.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"));

/** Passes when the bucket's policy has a Deny-to-everyone statement with a matching condition. */
export function policyDenies(
  stack: StackView,
  bucket: StackElement,
  matches: (condition: PolicyStatement["conditions"][number]) => boolean,
  missing: string,
): Outcome {
  const statements = bucketPolicyStatements(stack, bucket);
  if (isOutcome(statements)) return statements;
  return statements.some((s) => s.effect === "Deny" && isEveryone(s) && s.conditions.some(matches)) ? PASS : fail(missing);
}
