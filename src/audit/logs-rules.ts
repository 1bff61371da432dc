import { fail, isReference, PASS, Rule, unknown } from "../compliance/rule";

import { BASELINE } from "../aws/baseline";

const MINIMUM_LOG_RETENTION_DAYS = BASELINE.logRetentionDays;

export const LOGS_RULES: readonly Rule[] = [
  {
    id: "Logs.KmsEncryption",
    appliesTo: ["aws_cloudwatch_log_group"],
    info: "The log group is not encrypted with a customer-managed KMS key.",
    explanation: "Logs often hold identifiers and request data; a customer key puts reading them under your key policy.",
    fix: "Set kms_key_id to a key whose policy allows logs.<region>.amazonaws.com.",
    checkov: "CKV_AWS_158",
    fsbp: [],
    check: (group) => (group.body.kms_key_id ? PASS : fail("kms_key_id is not set")),
  },
  {
    id: "Logs.Retention",
    appliesTo: ["aws_cloudwatch_log_group"],
    info: `The log group keeps logs for less than ${MINIMUM_LOG_RETENTION_DAYS} days.`,
    explanation: "Investigations and audits usually need at least a year of logs.",
    fix: `Set retention_in_days to ${MINIMUM_LOG_RETENTION_DAYS} or more (or 0 to never expire), or suppress with the reason.`,
    checkov: "CKV_AWS_338",
    fsbp: [],
    check(group) {
      const days = group.body.retention_in_days;
      if (isReference(days)) return unknown("retention_in_days is computed at apply time");
      return days === undefined || days === 0 || days >= MINIMUM_LOG_RETENTION_DAYS ? PASS : fail(`retention_in_days is ${days}`);
    },
  },
];
