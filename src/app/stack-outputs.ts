/**
 * The outputs every TapStack publishes, one per attribute an operator or another stack
 * consumes, named `<subject>_<attribute>` the way terraform-aws-modules names them. Regional
 * outputs are maps keyed by region. Plain data (no cdktf), so the outputs table (docs/deploying.md: Outputs) is
 * generated from it; TapStack must give every entry a value (the compiler checks).
 */
export interface StackOutputSpec {
  /** What the output holds and its shape. */
  readonly description: string;
  /** `region`: a map keyed by region; `account`: one value for the account. */
  readonly scope: "region" | "account";
  /** Only in the deployment that owns the account's settings. */
  readonly ownerOnly?: boolean;
}

export const STACK_OUTPUTS = {
  vpc_ids: { scope: "region", description: "VPC id per region" },
  vpc_cidrs: { scope: "region", description: "VPC CIDR per region" },
  public_subnet_ids: { scope: "region", description: "Public subnet ids per region, one per zone in zone order" },
  private_subnet_ids: { scope: "region", description: "Private subnet ids per region, one per zone in zone order" },
  workload_security_group_ids: { scope: "region", description: "Workload security group id per region (HTTPS and SSH in from the allowed sources)" },
  execute_api_endpoint_ids: { scope: "region", description: "execute-api interface endpoint id per region" },
  execute_api_endpoint_zone_ids: { scope: "region", description: "Zones (AZ IDs) the execute-api endpoint is in, per region: those of the VPC's zones that offer the service" },
  execute_api_endpoint_dns_entries: { scope: "region", description: "DNS entries ({ dns_name, hosted_zone_id }) of the execute-api endpoint per region" },
  flow_log_group_names: { scope: "region", description: "VPC flow-log group name per region" },
  kms_key_arns: { scope: "region", description: "ARN of the region's customer-managed key (data bucket, log groups, EBS default)" },
  kms_key_aliases: { scope: "region", description: "Alias of the region's key" },
  data_bucket_names: { scope: "region", description: "Data bucket name per region" },
  data_bucket_arns: { scope: "region", description: "Data bucket ARN per region" },
  access_log_bucket_names: { scope: "region", description: "Server access log bucket name per region" },
  api_gateway_log_group_names: { scope: "region", description: "API Gateway access-log group name per region" },
  api_gateway_cloudwatch_role_arn: { scope: "account", ownerOnly: true, description: "ARN of the role API Gateway writes CloudWatch logs with in every region" },
  support_role_arn: { scope: "account", ownerOnly: true, description: "ARN of the AWS Support role (CIS 1.17), assumable with MFA" },
  trail_arn: { scope: "account", ownerOnly: true, description: "ARN of the account's multi-region CloudTrail trail" },
  trail_bucket_name: { scope: "account", ownerOnly: true, description: "Bucket the trail (and AWS Config) deliver to" },
  trail_log_group_name: { scope: "account", ownerOnly: true, description: "CloudWatch Logs group the trail delivers to and the CIS metric filters read" },
  alarm_topic_arn: { scope: "account", ownerOnly: true, description: "ARN of the SNS topic the CIS 4.1-4.15 alarms notify" },
} as const satisfies Record<string, StackOutputSpec>;

export type StackOutputName = keyof typeof STACK_OUTPUTS;
export type RegionalOutputName = { [K in StackOutputName]: (typeof STACK_OUTPUTS)[K]["scope"] extends "region" ? K : never }[StackOutputName];
export type AccountOutputName = Exclude<StackOutputName, RegionalOutputName>;
