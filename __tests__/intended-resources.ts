import type { StackConfig } from "../src/config/model";
import { availabilityZonesFor } from "../src/aws/regions";

/** The managed resources the code intends for `region`, by type. */
export function intendedCounts(config: StackConfig, region: string): Record<string, number> {
  const zones = availabilityZonesFor(region, config.availabilityZoneCount).length;
  const https = config.allowedHttpsCidrs?.length ?? 1;
  const ssh = config.allowedSshCidrs?.length ?? 1;
  const counts: Record<string, number> = {
    aws_api_gateway_account: 1,
    aws_cloudwatch_log_group: 2,
    aws_default_security_group: 1,
    aws_flow_log: 1,
    aws_internet_gateway: 1,
    aws_kms_alias: 1,
    aws_kms_key: 1,
    aws_route: 1,
    aws_route_table: 2,
    aws_route_table_association: 2 * zones,
    aws_s3_bucket: 1,
    aws_s3_bucket_lifecycle_configuration: 1,
    aws_s3_bucket_ownership_controls: 1,
    aws_s3_bucket_policy: 1,
    aws_s3_bucket_public_access_block: 1,
    aws_s3_bucket_server_side_encryption_configuration: 1,
    aws_s3_bucket_versioning: 1,
    aws_security_group: 2,
    aws_subnet: 2 * zones,
    aws_vpc: 1,
    aws_vpc_endpoint: 1,
    aws_vpc_security_group_egress_rule: 1,
    aws_vpc_security_group_ingress_rule: https + ssh + 1,
  };
  if (region === config.regions[0].region) {
    Object.assign(counts, {
      aws_iam_account_password_policy: 1,
      aws_iam_role: 2,
      aws_iam_role_policy: 1,
      aws_iam_role_policy_attachment: 1,
    });
  }
  return counts;
}
