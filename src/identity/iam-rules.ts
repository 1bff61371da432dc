import { POLICY_SIZE_LIMITS } from "../aws/limits";
import { policyAttributeFits, policySizeOutcome } from "../compliance/policy-size";
import { actionAllows, fail, isReference, listOf, Outcome, PASS, PolicyStatement, Rule, StackElement, StackView, unknown } from "../compliance/rule";

import { IDENTITY_MANAGED_POLICIES, PASSWORD_POLICY } from "./identity-facts";
import { SOURCE_ACCOUNT_DOCUMENTED, SOURCE_ACCOUNT_EXEMPT, trustConditionFor } from "./service-trust";

const PASSWORD_BENCHMARK = { minimumLength: PASSWORD_POLICY.minimumLength, maxAgeDays: PASSWORD_POLICY.maxAgeDays, reusePrevention: PASSWORD_POLICY.cisReusePrevention } as const;

function numberAtLeast(element: StackElement, attribute: string, minimum: number): Outcome {
  const value = element.body[attribute];
  if (isReference(value)) return unknown(`${attribute} is computed at apply time`);
  return typeof value === "number" && value >= minimum ? PASS : fail(`${attribute} is ${value ?? "unset"}; at least ${minimum} is required`);
}

/** `arn:<partition>:iam::<account>:root`, the account principal (every identity the account's IAM allows). */
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(.+):root$/;
/** The caller's account as the stack reads it, from an aws_caller_identity data source. */
const CALLER_ACCOUNT = /^\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}$/;

/**
 * Why a trust statement naming AWS principals is too wide, or undefined: only this account's
 * root may be named (the account then decides through IAM who may assume), and only with MFA.
 * "This account" is the caller identity, or the account the role's provider is pinned to.
 */
function accountTrustProblem(role: StackElement, stack: StackView, statement: PolicyStatement): string | undefined {
  const pinned: unknown[] = stack.providerOf(role)?.body.allowed_account_ids ?? [];
  for (const identifier of statement.principals.filter((p) => p.type === "AWS").flatMap((p) => p.identifiers)) {
    const account = ACCOUNT_ROOT.exec(identifier)?.[1];
    if (!account || !(CALLER_ACCOUNT.test(account) || pinned.includes(account))) {
      return `the trust policy names the AWS principal ${identifier}; only this account's root (arn:<partition>:iam::<this account>:root) may be named`;
    }
  }
  const mfa = statement.conditions.some((c) => c.test === "Bool" && c.variable.toLowerCase() === "aws:multifactorauthpresent" && c.values.includes("true"));
  return mfa ? undefined : "the trust policy lets this account's principals assume the role without MFA (add Bool aws:MultiFactorAuthPresent true)";
}

/** The statements a policy-bearing element defines (a policy document, or a resource's inline JSON). */
function statementsOf(element: StackElement, stack: StackView) {
  if (element.kind === "data") return stack.policyStatements(`\${${element.address}.json}`);
  return stack.policyStatements(element.body.policy);
}

/** The decryption actions FSBP KMS.1 and KMS.2 refuse on all keys (the Config rules' blockedActionsPatterns). */
const KMS_DECRYPTION_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom"];

/** `*`, or a KMS ARN whose key part is a wildcard (every key of an account and region, or more). */
const ALL_KMS_KEYS = /^arn:[^:]*:kms:[^:]*:[^:]*:(key\/)?\*$/;
const onAllKeys = (resource: string) => resource === "*" || ALL_KMS_KEYS.test(resource);

/** The first Allow statement granting a decryption action on all keys, as "sid: actions", or undefined. */
function decryptsAllKeys(statements: readonly PolicyStatement[]): string | undefined {
  for (const statement of statements) {
    if (statement.effect !== "Allow" || !statement.resources.some(onAllKeys)) continue;
    const allowed = KMS_DECRYPTION_ACTIONS.filter((action) => statement.actions.some((pattern) => actionAllows(pattern, action)));
    if (allowed.length > 0) return `statement ${statement.sid ?? "(no sid)"} allows ${allowed.join(" and ")} on ${statement.resources.filter(onAllKeys).join(", ")}`;
  }
  return undefined;
}

export const IAM_RULES: readonly Rule[] = [
  {
    id: "IAM.PasswordMinimumLength",
    appliesTo: ["aws_iam_account_password_policy"],
    info: `The password policy allows passwords shorter than ${PASSWORD_BENCHMARK.minimumLength} characters.`,
    explanation: "Short passwords fall to offline and online guessing.",
    fix: `Set minimum_password_length to ${PASSWORD_BENCHMARK.minimumLength} or more.`,
    cis: "1.8",
    checkov: "CKV_AWS_10",
    fsbp: ["IAM.7"],
    check: (policy) => numberAtLeast(policy, "minimum_password_length", PASSWORD_BENCHMARK.minimumLength),
  },
  {
    id: "IAM.PasswordComplexity",
    appliesTo: ["aws_iam_account_password_policy"],
    info: "The password policy does not require upper case, lower case, numbers and symbols.",
    explanation: "Character classes widen the space an attacker must search.",
    fix: "Set require_uppercase_characters, require_lowercase_characters, require_numbers and require_symbols to true.",
    cis: "v1.2.0 1.5-1.8",
    checkov: "CKV_AWS_11, CKV_AWS_12, CKV_AWS_14, CKV_AWS_15",
    fsbp: ["IAM.7"],
    check(policy) {
      const flags = ["require_uppercase_characters", "require_lowercase_characters", "require_numbers", "require_symbols"];
      const off = flags.filter((flag) => policy.body[flag] !== true);
      return off.length === 0 ? PASS : fail(`${off.join(", ")} not true`);
    },
  },
  {
    id: "IAM.PasswordMaxAge",
    appliesTo: ["aws_iam_account_password_policy"],
    info: `The password policy lets passwords live longer than ${PASSWORD_BENCHMARK.maxAgeDays} days.`,
    explanation: "Expiry bounds how long a leaked password stays useful.",
    fix: `Set max_password_age between 1 and ${PASSWORD_BENCHMARK.maxAgeDays}.`,
    cis: "v1.2.0 1.11",
    checkov: "CKV_AWS_9",
    fsbp: [],
    check(policy) {
      const age = policy.body.max_password_age;
      return typeof age === "number" && age >= 1 && age <= PASSWORD_BENCHMARK.maxAgeDays ? PASS : fail(`max_password_age is ${age ?? "unset"}`);
    },
  },
  {
    id: "IAM.PasswordReusePrevention",
    appliesTo: ["aws_iam_account_password_policy"],
    info: `The password policy remembers fewer than ${PASSWORD_BENCHMARK.reusePrevention} previous passwords.`,
    explanation: "Users rotate back to an old, possibly leaked, password when few are remembered.",
    fix: `Set password_reuse_prevention to ${PASSWORD_BENCHMARK.reusePrevention}.`,
    cis: "1.9",
    checkov: "CKV_AWS_13",
    fsbp: [],
    check: (policy) => numberAtLeast(policy, "password_reuse_prevention", PASSWORD_BENCHMARK.reusePrevention),
  },
  {
    id: "IAM.NoAdminStatements",
    appliesTo: ["data.aws_iam_policy_document", "aws_iam_policy", "aws_iam_role_policy"],
    info: 'A policy allows "*" actions on "*" resources (full administrator).',
    explanation: "Full-admin policies defeat least privilege; one leaked credential owns the account.",
    fix: "List the actions and resources the principal needs.",
    cis: "1.16",
    checkov: "CKV_AWS_1, CKV_AWS_62",
    fsbp: ["IAM.1"],
    check(element, stack) {
      const statements = statementsOf(element, stack);
      if (!statements) return unknown("the policy is computed at apply time and cannot be read");
      const admin = statements.find((s) => s.effect === "Allow" && s.actions.some((a) => a === "*" || a === "*:*") && s.resources.includes("*"));
      return admin ? fail(`statement ${admin.sid ?? "(no sid)"} allows *:* on *`) : PASS;
    },
  },
  {
    id: "IAM.InlineNoDecryptOnAllKeys",
    appliesTo: ["aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"],
    info: `An inline policy allows ${KMS_DECRYPTION_ACTIONS.join(" or ")} on all KMS keys ("*").`,
    explanation: "A principal that may decrypt with every key reads whatever any key protects, in this account and in others whose key policies trust it; name the keys it needs.",
    fix: "List the key ARNs (or an alias ARN with kms:ResourceAliases) in the statement's resources instead of \"*\".",
    checkov: "CKV_AWS_356 (wildcard resources in general)",
    fsbp: ["KMS.2"],
    check(element, stack) {
      const documents = element.type === "aws_iam_role" ? listOf(element.body.inline_policy).map((policy) => stack.policyStatements(policy.policy)) : [stack.policyStatements(element.body.policy)];
      if (documents.some((statements) => statements === undefined)) return unknown("an inline policy is computed at apply time and cannot be read");
      for (const statements of documents as PolicyStatement[][]) {
        const problem = decryptsAllKeys(statements);
        if (problem) return fail(problem);
      }
      return PASS;
    },
  },
  {
    id: "IAM.TrustNamesServicePrincipal",
    appliesTo: ["aws_iam_role"],
    info: "The role's trust policy lets something other than a named AWS service, or this account's principals with MFA, assume it; or it omits the aws:SourceAccount condition the service documents.",
    explanation:
      "A wildcard or account principal lets far more identities assume the role than intended; a service that sends aws:SourceAccount should be held to this account (confused deputy). " +
      `Services held to aws:SourceAccount: ${Object.keys(SOURCE_ACCOUNT_DOCUMENTED).join(", ")}. ` +
      `Exempt, because they document no such key for role trust and a condition can fail their own check of the role: ${Object.entries(SOURCE_ACCOUNT_EXEMPT)
        .map(([service, why]) => `${service} (${why})`)
        .join("; ")}`,
    fix: "Trust a named service principal, adding aws:SourceAccount where the service documents it (for a service in neither list of src/identity/service-trust.ts, look up its documentation and add it to one); a role for people trusts only this account's root with aws:MultiFactorAuthPresent true.",
    checkov: "CKV_AWS_60 (wildcard AWS principals only), CKV_AWS_61 (any account principal)",
    fsbp: [],
    check(role, stack) {
      const statements = stack.policyStatements(role.body.assume_role_policy);
      if (!statements) return unknown("the trust policy is computed at apply time and cannot be read");
      const allows = statements.filter((s) => s.effect === "Allow");
      if (allows.length === 0) return fail("the trust policy allows nobody");
      for (const statement of allows) {
        const accountPrincipal = statement.principals.find((p) => p.type === "AWS");
        if (accountPrincipal) {
          const problem = accountTrustProblem(role, stack, statement);
          if (problem) return fail(problem);
          continue;
        }
        const other = statement.principals.find((p) => p.type !== "Service" || p.identifiers.some((id) => id === "*"));
        if (other) return fail(`the trust policy names a ${other.type} principal (${other.identifiers.join(", ")})`);
        const heldToAccount = statement.conditions.some((c) => c.variable.toLowerCase() === "aws:sourceaccount" && c.values.length > 0);
        for (const service of statement.principals.flatMap((p) => p.identifiers)) {
          const condition = trustConditionFor(service);
          if (condition === undefined) return fail(`${service} is in neither list of src/identity/service-trust.ts, so tap cannot tell whether it sends aws:SourceAccount`);
          if (condition === "source-account" && !heldToAccount) return fail(`${service} documents aws:SourceAccount but the trust does not require it`);
        }
      }
      return PASS;
    },
  },
  {
    id: "IAM.SupportRole",
    appliesTo: ["stack"],
    info: `No role carries the ${IDENTITY_MANAGED_POLICIES.support} managed policy.`,
    explanation: "A named support role lets incidents be handled with AWS Support without handing out broader rights.",
    fix: `Add a role with ${IDENTITY_MANAGED_POLICIES.support} attached, assumable by the account's principals with MFA (GlobalIdentity does).`,
    cis: "1.17",
    fsbp: [],
    check(_stack, stack) {
      const attached = stack
        .ofType("aws_iam_role_policy_attachment")
        .some((attachment) => String(attachment.body.policy_arn).endsWith(`:iam::aws:policy/${IDENTITY_MANAGED_POLICIES.support}`) && stack.referencedElement(attachment.body.role)?.type === "aws_iam_role");
      return attached ? PASS : fail(`no aws_iam_role_policy_attachment of ${IDENTITY_MANAGED_POLICIES.support} to a role of this stack`);
    },
  },
  {
    id: "IAM.RoleInlinePolicySize",
    appliesTo: ["aws_iam_role"],
    info: `The role's inline policies together can exceed the ${POLICY_SIZE_LIMITS.roleInlinePolicies.toLocaleString("en-US")} characters IAM allows a role.`,
    explanation: "IAM refuses the policy that pushes a role over its quota (LimitExceeded) at apply, which plan cannot see. Sizes are counted without white space and with every unresolved value at its longest.",
    fix: "Split the permissions across roles (one per region or purpose), or use wildcards and condition keys instead of long resource lists.",
    fsbp: [],
    check(role, stack) {
      const policies = stack.referencing("aws_iam_role_policy", "role", role).map((policy) => stack.policyStatements(policy.body.policy));
      const inline = listOf(role.body.inline_policy).map((policy) => stack.policyStatements(policy.policy));
      const documents = [...policies, ...inline];
      if (documents.some((statements) => statements === undefined)) return unknown("an inline policy cannot be read before apply");
      return policySizeOutcome(documents as PolicyStatement[][], POLICY_SIZE_LIMITS.roleInlinePolicies, "the role's inline policies");
    },
  },
  {
    id: "IAM.TrustPolicySize",
    appliesTo: ["aws_iam_role"],
    info: `The role's trust policy can exceed the ${POLICY_SIZE_LIMITS.roleTrustPolicy.toLocaleString("en-US")} characters IAM allows by default.`,
    explanation: "IAM refuses a longer trust policy at apply (the quota can be raised to 4,096 on request).",
    fix: "Trust fewer principals or source ARNs per role; use a wildcard source ARN pattern.",
    fsbp: [],
    check: policyAttributeFits("assume_role_policy", POLICY_SIZE_LIMITS.roleTrustPolicy, "the trust policy"),
  },
  {
    id: "IAM.ManagedPolicySize",
    appliesTo: ["aws_iam_policy"],
    info: `The managed policy can exceed the ${POLICY_SIZE_LIMITS.managedPolicy.toLocaleString("en-US")} characters IAM allows.`,
    explanation: "IAM refuses a longer managed policy at apply.",
    fix: "Split it into several managed policies, or use wildcards and condition keys instead of long resource lists.",
    fsbp: [],
    check: policyAttributeFits("policy", POLICY_SIZE_LIMITS.managedPolicy, "the managed policy"),
  },
];
