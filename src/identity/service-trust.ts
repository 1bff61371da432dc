/**
 * Which AWS services send `aws:SourceAccount` when they assume a role, as their own
 * documentation shows it. A trust condition on a key the service does not send makes the
 * service's own check of the role fail at apply, so tap conditions exactly the services that
 * document it: every role's trust is written by serviceTrustPolicy (trust-policy.ts), which
 * consults these lists, and the IAM.TrustNamesServicePrincipal rule enforces the same two lists.
 */

/** Services whose role-trust documentation uses aws:SourceAccount; their trust must carry it. */
export const SOURCE_ACCOUNT_DOCUMENTED: Readonly<Record<string, string>> = {
  "vpc-flow-logs.amazonaws.com": "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html (with aws:SourceArn of vpc-flow-log/*)",
  "config.amazonaws.com": "https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html",
};

/**
 * Services that assume roles without documenting aws:SourceAccount for the trust policy; tap
 * trusts them unconditioned, as AWS's own examples do, and says why here.
 */
export const SOURCE_ACCOUNT_EXEMPT: Readonly<Record<string, string>> = {
  "apigateway.amazonaws.com":
    "UpdateAccount checks the CloudWatch role by assuming it; AWS documents no condition key for that check, and every AWS example (CloudFormation, CDK, provider docs) trusts API Gateway unconditioned. With a condition the check can fail for two minutes and aws_api_gateway_account with it.",
  "s3.amazonaws.com": "The replication role trust in AWS's S3 guide has no condition; replication is limited by the role's permissions to the deployment's buckets and keys.",
  "cloudtrail.amazonaws.com": "CreateTrail validates the CloudWatch Logs delivery role without documented condition keys; the role can write only to the trail's own log group.",
};

export type TrustCondition = "source-account" | "none";

/** The trust condition tap uses for `service`; undefined when the service is in neither list. */
export function trustConditionFor(service: string): TrustCondition | undefined {
  if (service in SOURCE_ACCOUNT_DOCUMENTED) return "source-account";
  if (service in SOURCE_ACCOUNT_EXEMPT) return "none";
  return undefined;
}
