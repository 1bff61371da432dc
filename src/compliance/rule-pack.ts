import { Rule } from "./rule";
import { BACKEND_RULES } from "./rules/backend";
import { CLOUDTRAIL_RULES } from "./rules/cloudtrail";
import { GUARDRAIL_RULES } from "./rules/guardrails";
import { IAM_RULES } from "./rules/iam";
import { KMS_RULES } from "./rules/kms";
import { LOGS_RULES } from "./rules/logs";
import { S3_RULES } from "./rules/s3";
import { SECURITY_GROUP_RULES } from "./rules/security-groups";
import { TAGGING_RULES } from "./rules/tagging";
import { VPC_RULES } from "./rules/vpc";

/** Every rule tap enforces at synth time, in report order. */
export const TAP_RULE_PACK: readonly Rule[] = [
  ...S3_RULES,
  ...KMS_RULES,
  ...LOGS_RULES,
  ...VPC_RULES,
  ...SECURITY_GROUP_RULES,
  ...IAM_RULES,
  ...CLOUDTRAIL_RULES,
  ...GUARDRAIL_RULES,
  ...TAGGING_RULES,
  ...BACKEND_RULES,
];
