import { CLOUDTRAIL_RULES } from "../audit/cloudtrail-rules";
import { FINDINGS_RULES } from "../audit/findings-rules";
import { LOGS_RULES } from "../audit/logs-rules";
import { Rule } from "../compliance/rule";
import { GUARDRAIL_RULES } from "../guardrails/guardrail-rules";
import { IAM_RULES } from "../identity/iam-rules";
import { SECURITY_GROUP_RULES } from "../network/security-group-rules";
import { VPC_RULES } from "../network/vpc-rules";
import { KMS_RULES } from "../storage/kms-rules";
import { S3_ACCESS_RULES } from "../storage/s3-access-rules";
import { S3_DATA_RULES } from "../storage/s3-data-rules";
import { S3_ENCRYPTION_RULES } from "../storage/s3-encryption-rules";
import { S3_LOGGING_RULES } from "../storage/s3-logging-rules";
import { BACKEND_RULES } from "./backend-rules";
import { TAGGING_RULES } from "./tagging-rules";

/**
 * Every rule tap enforces at synth time, in report order: each concern's families, then the
 * app's own (tags, backend). The rules live beside the constructs they judge; this list only
 * assembles them, so the engine in compliance/ depends on no concern.
 */
export const TAP_RULE_PACK: readonly Rule[] = [
  // storage/
  ...S3_ACCESS_RULES,
  ...S3_ENCRYPTION_RULES,
  ...S3_DATA_RULES,
  ...S3_LOGGING_RULES,
  ...KMS_RULES,
  // network/
  ...VPC_RULES,
  ...SECURITY_GROUP_RULES,
  // identity/
  ...IAM_RULES,
  // audit/
  ...CLOUDTRAIL_RULES,
  ...LOGS_RULES,
  ...FINDINGS_RULES,
  // guardrails/
  ...GUARDRAIL_RULES,
  // app/
  ...TAGGING_RULES,
  ...BACKEND_RULES,
];

/**
 * Whether a rule asks for something that must exist once per account or per region (a
 * multi-region trail, a detector in every region, the account's public access block) rather
 * than judging a resource the stack declares.
 */
export function isAccountBaselineRule(rule: Rule): boolean {
  return rule.appliesTo.every((type) => type === "stack" || type === "provider.aws");
}

/**
 * The rules that judge each resource a stack declares, without the account baseline's own
 * completeness: for a stack of your own that uses some of tap's constructs (the package's users).
 */
export const TAP_RESOURCE_RULES: readonly Rule[] = TAP_RULE_PACK.filter((rule) => !isAccountBaselineRule(rule));

/**
 * Rules about the account as a whole (one trail, the CIS alarms, the support role, the account's
 * S3 block, recording of global resources, the security contact), which the account's stack passes: a region stack of
 * the split layout holds regional guardrails only and leaves these to it.
 */
export const ACCOUNT_WIDE_RULE_IDS: readonly string[] = [
  "CloudTrail.MultiRegionTrail",
  "Monitoring.CisMetricAlarms",
  "IAM.SupportRole",
  "S3.AccountPublicAccessBlock",
  "Config.GlobalResources",
  "Account.SecurityContact",
  // The home region routes the account's findings; a region stack's hubs have no route of their own.
  "SecurityHub.FindingsNotified",
];

/** What a region stack of the split layout is judged by: the whole pack but the account-wide rules. */
export const TAP_REGION_STACK_RULES: readonly Rule[] = TAP_RULE_PACK.filter((rule) => !ACCOUNT_WIDE_RULE_IDS.includes(rule.id));
