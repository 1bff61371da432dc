/**
 * The identity concern's names, limits and numbers: the account's roles and password policy,
 * shared by GlobalIdentity, the IAM rules and configuration (plain module, no cdktf).
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import type { DriftControl } from "../compliance/drift";

/** The account password policy tap sets (CIS items from the CIS AWS Foundations Benchmark v3.0.0). */
export const PASSWORD_POLICY = {
  /** CIS 1.8. */
  minimumLength: 14,
  /** CIS v1.2.0 1.11 (v3.0.0 dropped the item; most auditors still ask for it). */
  maxAgeDays: 90,
  /** CIS 1.9: what the IAM.PasswordReusePrevention rule requires. */
  cisReusePrevention: 24,
  /** The product's default reuse prevention (the spec's 5), accepted with a reason by default. */
  defaultReusePrevention: 5,
} as const;

/** IAM's range for password reuse prevention (UpdateAccountPasswordPolicy). */
export const PASSWORD_REUSE_PREVENTION = { min: 1, max: 24 } as const;

/** The AWS managed policies the account's roles use (`arn:<partition>:iam::aws:policy/<name>`). */
export const IDENTITY_MANAGED_POLICIES = {
  /** What API Gateway writes CloudWatch logs with. */
  apiGatewayLogs: "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
  /** CIS 1.17's support role. */
  support: "AWSSupportAccess",
} as const;

/** Names of the account's roles and their inline policies. */
export function identityNames(naming: Omit<NameScope, "region">) {
  return {
    apiGatewayRole: resourceName(naming, "apigw-cloudwatch"),
    flowLogsRole: resourceName(naming, "vpc-flow-logs"),
    flowLogsPolicy: "deliver-flow-logs",
    supportRole: resourceName(naming, "support"),
  };
}

/** The AWS-visible names GlobalIdentity creates (configuration checks them). */
export function identityAwsNames(naming: Omit<NameScope, "region">): AwsName[] {
  const names = identityNames(naming);
  return [
    { kind: "iamRole", name: names.apiGatewayRole },
    { kind: "iamRole", name: names.flowLogsRole },
    { kind: "iamPolicy", name: names.flowLogsPolicy },
    { kind: "iamRole", name: names.supportRole },
  ];
}

/** The attributes of this concern's resources that carry a control, for `npm run drift`. */
export const IDENTITY_DRIFT_CONTROLS: readonly DriftControl[] = [
  { type: "aws_iam_account_password_policy", attributes: ["minimum_password_length"], rule: "IAM.PasswordMinimumLength" },
  { type: "aws_iam_account_password_policy", attributes: ["require_uppercase_characters", "require_lowercase_characters", "require_numbers", "require_symbols"], rule: "IAM.PasswordComplexity" },
  { type: "aws_iam_account_password_policy", attributes: ["max_password_age"], rule: "IAM.PasswordMaxAge" },
  { type: "aws_iam_account_password_policy", attributes: ["password_reuse_prevention"], rule: "IAM.PasswordReusePrevention" },
  { type: "aws_iam_role", attributes: ["assume_role_policy"], rule: "IAM.TrustNamesServicePrincipal" },
  { type: "aws_iam_role_policy", attributes: ["policy"], rule: "IAM.NoAdminStatements" },
  { type: "aws_iam_role_policy_attachment", attributes: ["policy_arn"], rule: "IAM.SupportRole" },
];
