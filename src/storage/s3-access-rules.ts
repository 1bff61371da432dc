import { POLICY_SIZE_LIMITS } from "../aws/limits";
import { policyAttributeFits } from "../compliance/policy-size";
import { actionAllows, fail, firstBlock, isReference, Outcome, PASS, PolicyStatement, Rule, StackElement, StackView, unknown } from "../compliance/rule";
import { companion, isOutcome, policyDenies } from "./s3-bucket-view";

/**
 * The bucket-management actions FSBP S3.6 refuses to other accounts' principals (its Config rule
 * s3-bucket-blacklisted-actions-prohibited, which reads principals and ignores conditions).
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6
 */
const CROSS_ACCOUNT_BLOCKED_ACTIONS = ["s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"];
/** The account of an IAM ARN (`arn:<partition>:iam::<account>:...`) or a bare account id. */
const PRINCIPAL_ACCOUNT = /^(?:arn:[^:]+:(?:iam|sts)::([^:]+):.+|(\d{12}))$/;
/** The caller's account as the stack reads it, from an aws_caller_identity data source. */
const CALLER_ACCOUNT = /^\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}$/;

/**
 * Whether an AWS principal belongs to another account: "*" does (everyone); this account is the
 * caller identity or an account the provider is pinned to, and a principal of this stack is its own.
 */
function otherAccount(identifier: string, policy: StackElement, stack: StackView): boolean | "unknown" {
  if (identifier === "*") return true;
  const match = PRINCIPAL_ACCOUNT.exec(identifier);
  const account = match?.[1] ?? match?.[2];
  if (account !== undefined) {
    const pinned: unknown[] = stack.providerOf(policy)?.body.allowed_account_ids ?? [];
    if (CALLER_ACCOUNT.test(account) || pinned.includes(account)) return false;
    return isReference(account) ? "unknown" : true;
  }
  if (stack.referencedElement(identifier)?.type.startsWith("aws_iam_")) return false;
  return isReference(identifier) ? "unknown" : true;
}

/** Fails the first Allow statement that grants a blocked action to another account's principal. */
function crossAccountBlockedActions(policy: StackElement, stack: StackView, statements: readonly PolicyStatement[]): Outcome {
  let unresolved: string | undefined;
  for (const statement of statements.filter((s) => s.effect === "Allow")) {
    const blocked = CROSS_ACCOUNT_BLOCKED_ACTIONS.filter((action) => statement.actions.some((pattern) => actionAllows(pattern, action)));
    if (blocked.length === 0) continue;
    for (const identifier of statement.principals.filter((p) => p.type === "AWS" || p.type === "*").flatMap((p) => p.identifiers)) {
      const other = otherAccount(identifier, policy, stack);
      if (other === true) return fail(`statement ${statement.sid ?? "(no sid)"} allows ${blocked.join(", ")} to ${identifier}, outside this account`);
      if (other === "unknown") unresolved ??= identifier;
    }
  }
  return unresolved ? unknown(`the principal ${unresolved} is only known at apply time`) : PASS;
}

/** Who may reach a bucket and how: public access blocked, ACLs off, TLS 1.2 or later only. */
export const S3_ACCESS_RULES: readonly Rule[] = [
  {
    id: "S3.PublicAccessBlock",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket does not block public access with all four public-access-block settings.",
    explanation: "Without the block, one ACL or policy change can make objects public.",
    fix: "Add an aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    cis: "2.1.4",
    checkov: "CKV2_AWS_6, CKV_AWS_53-56",
    fsbp: ["S3.2", "S3.3", "S3.8"],
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
    id: "S3.OwnershipEnforced",
    appliesTo: ["aws_s3_bucket"],
    info: "ACLs are not disabled on the bucket (object ownership is not BucketOwnerEnforced).",
    explanation: "With ACLs enabled, objects written by other accounts can stay out of the bucket owner's control.",
    fix: "Add an aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced.",
    checkov: "CKV2_AWS_65",
    fsbp: ["S3.12"],
    check(bucket, stack) {
      const controls = companion(stack, "aws_s3_bucket_ownership_controls", bucket);
      if (isOutcome(controls)) return controls;
      const ownership = firstBlock(controls.body.rule)?.object_ownership;
      return ownership === "BucketOwnerEnforced" ? PASS : fail(`object_ownership is ${ownership ?? "unset"}`);
    },
  },
  {
    id: "S3.TlsOnly",
    appliesTo: ["aws_s3_bucket"],
    info: "The bucket policy does not deny requests made without TLS.",
    explanation: "Without an explicit deny on aws:SecureTransport=false, clients can read and write over plain HTTP.",
    fix: 'Add a bucket policy statement: Deny s3:* to principal "*" on the bucket and its objects when aws:SecureTransport is false.',
    cis: "2.1.1",
    fsbp: ["S3.5"],
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
    fsbp: [],
    check: (bucket, stack) =>
      policyDenies(
        stack,
        bucket,
        (c) => c.test === "NumericLessThan" && c.variable === "s3:TlsVersion" && c.values.some((v) => Number(v) >= 1.2),
        "no Deny statement on s3:TlsVersion < 1.2",
      ),
  },
  {
    id: "S3.NoCrossAccountPolicyActions",
    appliesTo: ["aws_s3_bucket_policy"],
    info: `The bucket policy allows another account's principals (or "*") ${CROSS_ACCOUNT_BLOCKED_ACTIONS.join(", ")} or a wildcard that includes one.`,
    explanation: "Whoever may change a bucket's policy, ACLs or encryption can open it to anyone or lock its owner out; those rights stay inside the owning account.",
    fix: "Grant other accounts only the object actions they need (s3:GetObject, s3:PutObject), never the bucket's policy, ACL or encryption actions.",
    fsbp: ["S3.6"],
    check(policy, stack) {
      const statements = stack.policyStatements(policy.body.policy);
      if (!statements) return unknown("the bucket policy is computed at apply time and cannot be read");
      return crossAccountBlockedActions(policy, stack, statements);
    },
  },
  {
    id: "S3.BucketPolicySize",
    appliesTo: ["aws_s3_bucket_policy"],
    info: `The bucket policy can exceed the ${POLICY_SIZE_LIMITS.bucketPolicy.toLocaleString("en-US")} characters S3 allows.`,
    explanation: "S3 refuses a longer bucket policy at apply (PolicyTooLarge... as MalformedPolicy).",
    fix: "Grant by prefix or condition instead of one statement per source.",
    fsbp: [],
    check: policyAttributeFits("policy", POLICY_SIZE_LIMITS.bucketPolicy, "the bucket policy"),
  },
];
