/**
 * The network concern's names, limits and constants: what RegionalNetwork builds, what the
 * network rules check and what configuration validates, in one plain module (no cdktf), so
 * configuration can load it cheaply.
 */
import { AwsName } from "../aws/limits";
import { NameScope, resourceName } from "../aws/naming";
import type { DriftControl } from "../compliance/drift";

/**
 * Entries per network ACL and direction (AWS's default quota; it can be raised to 40).
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-nacls
 */
export const NACL_RULES_PER_DIRECTION = 20;
/** Default network ACL entries that do not depend on the SSH sources (see RegionalNetwork's default ACL). */
export const FIXED_NACL_INGRESS_RULES = 8;
/** SSH sources each take one default-NACL entry beside the fixed ones, within AWS's default quota. */
export const MAX_SSH_SOURCES = NACL_RULES_PER_DIRECTION - FIXED_NACL_INGRESS_RULES;
/** Zones used when no zones are given (fewer where the region offers fewer). */
export const DEFAULT_AVAILABILITY_ZONE_COUNT = 3;
/** VPC prefixes the subnet layout fits: eight equal blocks, each at least the /28 AWS requires. */
export const VPC_PREFIX_RANGE = { min: 16, max: 24 } as const;
/** How many equal blocks the VPC CIDR is split into (2^3), and where the private half starts. */
export const SUBNET_NEW_BITS = 3;
export const PRIVATE_SUBNET_OFFSET = 4;

export const HTTPS_PORT = 443;
export const SSH_PORT = 22;
export const RDP_PORT = 3389;
/** Remote-administration ports and what messages call them. */
export const ADMIN_PORTS: readonly [number, string][] = [
  [SSH_PORT, "SSH"],
  [RDP_PORT, "RDP"],
];
/**
 * The ports Security Hub's EC2.19 calls high risk (its AWS Config rule restricted-common-ports):
 * none may be open to the whole internet.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
 */
export const HIGH_RISK_PORTS: readonly number[] = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];
/**
 * The only TCP ports EC2.18 lets a security group open to the whole internet, the control's
 * default authorizedTcpPorts (no UDP port is authorized by default).
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
 */
export const WORLD_AUTHORIZED_TCP_PORTS: readonly number[] = [80, HTTPS_PORT];
/** The whole internet, IPv4 and IPv6. */
export const WORLD: readonly string[] = ["0.0.0.0/0", "::/0"];

/**
 * Remote administration (SSH, RDP) sources: none wider than /8, and together at most one /8
 * of public address space. Private ranges (RFC 1918) do not count. This refuses `0.0.0.0/0`
 * and the same exposure written in pieces (`0.0.0.0/1,128.0.0.0/1`).
 */
export const ADMIN_SOURCE_LIMITS = { minPrefixLength: 8, maxPublicAddresses: 2 ** 24 } as const;

/** Prefix of every VPC flow-log group; the flow-log role may write only below it. */
export const FLOW_LOG_GROUP_PREFIX = "/aws/vpc/flow-logs/";

/** A region's network names. */
export function networkNames(naming: NameScope & { readonly region: string }) {
  return {
    workloadSecurityGroup: resourceName(naming, "workload"),
    endpointSecurityGroup: resourceName(naming, "execute-api-endpoint"),
    flowLogGroup: `${FLOW_LOG_GROUP_PREFIX}${resourceName(naming, "vpc")}`,
  };
}

/** The AWS-visible names a RegionalNetwork with this naming creates (configuration checks them). */
export function networkAwsNames(naming: NameScope & { readonly region: string }): AwsName[] {
  const names = networkNames(naming);
  return [
    { kind: "securityGroup", name: names.workloadSecurityGroup },
    { kind: "securityGroup", name: names.endpointSecurityGroup },
    { kind: "logGroup", name: names.flowLogGroup },
  ];
}

/** The attributes of this concern's resources that carry a control, for `npm run drift`. */
export const NETWORK_DRIFT_CONTROLS: readonly DriftControl[] = [
  { type: "aws_flow_log", attributes: ["log_destination", "traffic_type", "iam_role_arn"], rule: "VPC.FlowLogs" },
  { type: "aws_default_security_group", attributes: ["ingress", "egress"], rule: "VPC.DefaultSecurityGroupClosed" },
  { type: "aws_subnet", attributes: ["map_public_ip_on_launch"], rule: "VPC.NoPublicIpOnLaunch" },
  { type: "aws_default_network_acl", attributes: ["ingress", "egress"], rule: "VPC.NetworkAclNoAdminFromAnywhere" },
  { type: "aws_vpc_security_group_ingress_rule", attributes: ["cidr_ipv4", "from_port", "to_port", "ip_protocol"], rule: "EC2.NoWorldAdminIngress" },
  { type: "aws_vpc_security_group_egress_rule", attributes: ["cidr_ipv4", "from_port", "to_port", "ip_protocol"], rule: "EC2.NoWorldAllPortsEgress" },
];
