import { POLICY_SIZE_LIMITS } from "../aws/limits";
import { policyAttributeFits } from "../compliance/policy-size";
import { fail, isReference, PASS, Rule, unknown } from "../compliance/rule";

import { BASELINE } from "../aws/baseline";

const KMS_MAXIMUM_DELETION_WINDOW_DAYS = BASELINE.kmsDeletionWindowDays;
/** Condition keys (lower case) that hold a wildcard principal to named accounts or an organization, with an exact-match operator. */
const ACCOUNT_LIMITING_KEYS = ["kms:calleraccount", "aws:principalaccount", "aws:principalorgid"];

export const KMS_RULES: readonly Rule[] = [
  {
    id: "KMS.Rotation",
    appliesTo: ["aws_kms_key"],
    info: "Automatic rotation is not enabled on the customer-managed key.",
    explanation: "Rotation limits how much data one key version protects and is required by most benchmarks.",
    fix: "Set enable_key_rotation = true.",
    cis: "3.6",
    checkov: "CKV_AWS_7",
    fsbp: [],
    check: (key) => (key.body.enable_key_rotation === true ? PASS : fail(`enable_key_rotation is ${key.body.enable_key_rotation ?? "unset"}`)),
  },
  {
    id: "KMS.KeyPolicy",
    appliesTo: ["aws_kms_key"],
    info: "The key has no explicit key policy.",
    explanation: "The default policy grants the whole account; an explicit policy states who may use the key and for what.",
    fix: "Set policy from an aws_iam_policy_document that grants the account and the services that use the key.",
    checkov: "CKV2_AWS_64",
    fsbp: [],
    check: (key) => (typeof key.body.policy === "string" && key.body.policy.length > 0 ? PASS : fail("policy is not set")),
  },
  {
    id: "KMS.NoUnconditionedWildcardPrincipal",
    appliesTo: ["aws_kms_key"],
    info: 'The key policy allows principal "*" without a condition that holds it to one account.',
    explanation: "A wildcard principal lets any AWS account use or manage the key unless a condition names the account.",
    fix: `Name the principals, or add one of ${ACCOUNT_LIMITING_KEYS.join(", ")} (and kms:ViaService to limit the service).`,
    checkov: "CKV_AWS_33 (passes any condition)",
    fsbp: ["KMS.5"],
    check(key, stack) {
      if (key.body.policy === undefined) return PASS;
      const statements = stack.policyStatements(key.body.policy);
      if (!statements) return unknown("the key policy is computed at apply time and cannot be read");
      const open = statements.filter(
        (s) =>
          s.effect === "Allow" &&
          !s.conditions.some((c) => ACCOUNT_LIMITING_KEYS.includes(c.variable.toLowerCase()) && c.test.startsWith("String") && !c.test.includes("Not") && !c.test.includes("Like")) &&
          s.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*")),
      );
      return open.length === 0 ? PASS : fail(`statement ${open[0].sid ?? "(no sid)"} allows "*" without holding it to one account`);
    },
  },
  {
    id: "KMS.DeletionWindow",
    appliesTo: ["aws_kms_key"],
    info: `The key's deletion window is shorter than ${KMS_MAXIMUM_DELETION_WINDOW_DAYS} days.`,
    explanation: "A scheduled deletion can be cancelled only within the window; after it, everything encrypted with the key is lost.",
    fix: `Set deletion_window_in_days = ${KMS_MAXIMUM_DELETION_WINDOW_DAYS}.`,
    fsbp: [],
    check(key) {
      const days = key.body.deletion_window_in_days;
      if (isReference(days)) return unknown("deletion_window_in_days is computed at apply time");
      return days === undefined || days >= KMS_MAXIMUM_DELETION_WINDOW_DAYS ? PASS : fail(`deletion_window_in_days is ${days}`);
    },
  },
  {
    id: "KMS.KeyPolicySize",
    appliesTo: ["aws_kms_key"],
    info: `The key policy can exceed the ${POLICY_SIZE_LIMITS.keyPolicy.toLocaleString("en-US")} characters KMS allows.`,
    explanation: "KMS refuses a longer key policy at apply (LimitExceededException).",
    fix: "Grant through IAM policies or grants instead of listing every principal and resource in the key policy.",
    fsbp: [],
    check: policyAttributeFits("policy", POLICY_SIZE_LIMITS.keyPolicy, "the key policy"),
  },
];
