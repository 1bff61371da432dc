import { Rule } from "../compliance/rule";
import { BACKEND_RULES } from "./backend-rules";
import { CLOUDTRAIL_RULES } from "../audit/cloudtrail-rules";
import { GUARDRAIL_RULES } from "../guardrails/guardrail-rules";
import { IAM_RULES } from "../identity/iam-rules";
import { KMS_RULES } from "../storage/kms-rules";
import { LOGS_RULES } from "../audit/logs-rules";
import { S3_RULES } from "../storage/s3-rules";
import { SECURITY_GROUP_RULES } from "../network/security-group-rules";
import { TAGGING_RULES } from "./tagging-rules";
import { VPC_RULES } from "../network/vpc-rules";

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
