import { Construct } from "constructs";
import { Fn, IResolvable, Op, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsVpcEndpointService } from "@cdktf/provider-aws/lib/data-aws-vpc-endpoint-service";
import { DefaultNetworkAcl, DefaultNetworkAclIngress } from "@cdktf/provider-aws/lib/default-network-acl";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { BASELINE } from "../aws/baseline";
import { awsNameProblems, logRetentionProblem } from "../aws/limits";
import { nameTag, NameScope } from "../aws/naming";
import type { IFlowLogDeliveryRole } from "../identity/global-identity";
import type { ILogEncryptionKey } from "../storage/secure-storage";
import { adminSourcesProblem } from "./admin-sources";
import { cidrSubnet, formatIpv4Cidr, Ipv4Cidr, parseIpv4Cidr } from "./cidr";
import {
  DEFAULT_AVAILABILITY_ZONE_COUNT,
  HTTPS_PORT,
  MAX_SSH_SOURCES,
  NACL_RULES_PER_DIRECTION,
  networkAwsNames,
  networkNames,
  PRIVATE_SUBNET_OFFSET,
  RDP_PORT,
  SSH_PORT,
  SUBNET_NEW_BITS,
  VPC_PREFIX_RANGE,
} from "./network-facts";
import { availabilityZonesFor, isSupportedRegion } from "./regions";

export interface RegionalNetworkProps {
  /** Provider of the region this network lives in. */
  readonly provider: AwsProvider;
  /** Project, environment and region for names. */
  readonly naming: NameScope & { readonly region: string };
  /**
   * IPv4 CIDR of the VPC, /16 to /24. Split into eight equal blocks: public subnets take
   * the first blocks, private subnets the blocks from the fifth on.
   * IMPORTANT: changing it replaces the VPC and everything in it.
   */
  readonly vpcCidr: string;
  /**
   * Availability zones, as AZ IDs (`use1-az1`), one public and one private subnet each; at least two.
   * @default - the first three AZ IDs of the region in SUPPORTED_REGIONS (two where the region offers two)
   */
  readonly availabilityZoneIds?: readonly string[];
  /**
   * Sources allowed to reach workloads on SSH (22). Sources wider than /8, or together covering
   * more than a /8 of public addresses, are refused. `[]` creates no SSH rule.
   * @default - the VPC CIDR only
   */
  readonly allowedSshCidrs?: readonly string[];
  /**
   * Sources allowed to reach workloads on HTTPS (443). `[]` creates no HTTPS rule.
   * @default - the VPC CIDR only
   */
  readonly allowedHttpsCidrs?: readonly string[];
  /**
   * Private DNS on the execute-api interface endpoint. While on, every execute-api hostname
   * resolves to the endpoint from inside the VPC, so calls from the VPC to public (non-private)
   * APIs stop working.
   * @default true
   */
  readonly enableEndpointPrivateDns?: boolean;
  /** The key that encrypts the flow-log group; the network grants CloudWatch Logs its use for that group. */
  readonly flowLogKey: ILogEncryptionKey;
  /** The role VPC flow logs deliver with; the network grants it delivery to its flow-log group. */
  readonly flowLogRole: IFlowLogDeliveryRole;
  /**
   * Retention of the flow-log group, in days (a value CloudWatch Logs accepts; 0 = never).
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
}

/** IANA protocol numbers, as EC2 reports them (names would be normalized and could diff). */
const PROTOCOL = { all: "-1", icmp: "1", tcp: "6", udp: "17" } as const;
const ANYWHERE = "0.0.0.0/0";
/** ICMP type 3 code 4, "fragmentation needed": what path MTU discovery needs through a network ACL. */
const ICMP_DESTINATION_UNREACHABLE = 3;
const ICMP_FRAGMENTATION_NEEDED = 4;
const SUBNET_TIERS = ["public", "private"] as const;
type SubnetTier = (typeof SUBNET_TIERS)[number];

/**
 * A region's network: a VPC with public and private subnets over several zones, an
 * internet gateway for the public side only, locked-down security groups, encrypted flow
 * logs, and a private interface endpoint for API Gateway (execute-api).
 */
export class RegionalNetwork extends Construct {
  /** The VPC's id. */
  public readonly vpcId: string;
  /** The VPC's CIDR, as given. */
  public readonly vpcCidr: string;
  /** The zones (AZ IDs) the subnets are in, in subnet order. */
  public readonly availabilityZoneIds: readonly string[];
  /** Ids of the public subnets, one per zone, in zone order. */
  public readonly publicSubnetIds: string[] = [];
  /** Ids of the private subnets, one per zone, in zone order. */
  public readonly privateSubnetIds: string[] = [];
  /** Security group for workloads: HTTPS and SSH in from the allowed sources, HTTPS out to the VPC. */
  public readonly workloadSecurityGroupId: string;
  /** Id of the execute-api interface endpoint. */
  public readonly endpointId: string;
  /** DNS entries of the execute-api endpoint: a list of `{ dns_name, hosted_zone_id }` once applied. */
  public readonly endpointDnsEntries: IResolvable;
  /** The zones (AZ IDs) the endpoint is placed in: those of `availabilityZoneIds` that offer execute-api, known at plan time. */
  public readonly endpointZoneIds: string[];
  /** Name of the flow-log group. */
  public readonly flowLogGroupName: string;

  private readonly provider: AwsProvider;
  private readonly naming: NameScope & { readonly region: string };

  constructor(scope: Construct, id: string, props: RegionalNetworkProps) {
    super(scope, id);
    this.provider = props.provider;
    this.naming = props.naming;
    const zones = props.availabilityZoneIds ?? (isSupportedRegion(props.naming.region) ? availabilityZonesFor(props.naming.region, DEFAULT_AVAILABILITY_ZONE_COUNT) : []);
    const vpcCidr = this.validate(props, zones);

    const vpc = this.buildVpc(props.vpcCidr);
    this.buildDefaultNetworkAcl(vpc, props);
    const routeTables = this.buildRouting(vpc);
    this.buildSubnets(vpc, vpcCidr, zones, routeTables);
    const workloadSecurityGroup = this.buildWorkloadSecurityGroup(vpc, props);
    const endpoint = this.buildExecuteApiEndpoint(vpc, props, zones);
    const flowLogGroup = this.buildFlowLogs(vpc, props);

    this.vpcId = vpc.id;
    this.vpcCidr = props.vpcCidr;
    this.availabilityZoneIds = zones;
    this.workloadSecurityGroupId = workloadSecurityGroup.id;
    this.endpointId = endpoint.resource.id;
    this.endpointDnsEntries = endpoint.resource.dnsEntry;
    this.endpointZoneIds = endpoint.zoneIds;
    this.flowLogGroupName = flowLogGroup.name;
  }

  /** The VPC and its default security group, taken over and left empty. */
  private buildVpc(cidrBlock: string): Vpc {
    const { provider, naming } = this;
    const vpc = new Vpc(this, "vpc", {
      provider,
      cidrBlock,
      // Both are required for the interface endpoint's private DNS names to resolve.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: nameTag(naming, "vpc"),
    });
    // Take over the default group and leave it empty: explicit empty lists remove AWS's default allow rules.
    new DefaultSecurityGroup(this, "default-security-group", {
      provider,
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: nameTag(naming, "default-sg-unused"),
    });
    return vpc;
  }

  /**
   * The default network ACL, which every subnet here uses, taken over so that it no longer admits
   * SSH (22) or RDP (3389) from anywhere (CIS 5.1) while everything else keeps flowing. Entries are
   * evaluated lowest number first and the first match decides; all of these allow, so their order
   * only documents intent, and traffic none of them matches hits the final deny-all entry:
   *   100       everything from inside the VPC (its own SSH included);
   *   110-1xx   SSH from each allowed source outside the VPC;
   *   200-250   TCP and UDP from anywhere on every port except 22 and 3389 (replies to the
   *             VPC's own outbound connections, HTTPS to the endpoint and workloads);
   *   260       ICMP "fragmentation needed" (type 3, code 4) from anywhere: path MTU discovery needs it.
   * Security groups still decide what reaches each workload; the ACL only closes the admin ports.
   */
  private buildDefaultNetworkAcl(vpc: Vpc, props: RegionalNetworkProps): DefaultNetworkAcl {
    const rule = (ruleNo: number, protocol: string, cidrBlock: string, fromPort = 0, toPort = 0): DefaultNetworkAclIngress => ({
      ruleNo,
      action: "allow",
      protocol,
      cidrBlock,
      fromPort,
      toPort,
    });
    const sshSources = (props.allowedSshCidrs ?? []).filter((cidr) => cidr !== props.vpcCidr);
    const exceptAdminPorts = (protocol: string, first: number): DefaultNetworkAclIngress[] => [
      rule(first, protocol, ANYWHERE, 0, SSH_PORT - 1),
      rule(first + 10, protocol, ANYWHERE, SSH_PORT + 1, RDP_PORT - 1),
      rule(first + 20, protocol, ANYWHERE, RDP_PORT + 1, 65535),
    ];
    const ingress = [
      rule(100, PROTOCOL.all, props.vpcCidr),
      ...sshSources.map((cidr, index) => rule(110 + index, PROTOCOL.tcp, cidr, SSH_PORT, SSH_PORT)),
      ...exceptAdminPorts(PROTOCOL.tcp, 200),
      ...exceptAdminPorts(PROTOCOL.udp, 230),
      { ...rule(260, PROTOCOL.icmp, ANYWHERE), icmpType: ICMP_DESTINATION_UNREACHABLE, icmpCode: ICMP_FRAGMENTATION_NEEDED },
    ];
    return new DefaultNetworkAcl(this, "default-network-acl", {
      provider: this.provider,
      defaultNetworkAclId: vpc.defaultNetworkAclId,
      ingress,
      egress: [rule(100, PROTOCOL.all, ANYWHERE)],
      tags: nameTag(this.naming, "default-nacl"),
      // Subnets without an explicit association use the default ACL; AWS reports them and Terraform would try to detach them.
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    });
  }

  /** The internet gateway and the route tables: a default route on the public side only. */
  private buildRouting(vpc: Vpc): Record<SubnetTier, RouteTable> {
    const { provider, naming } = this;
    const internetGateway = new InternetGateway(this, "internet-gateway", {
      provider,
      vpcId: vpc.id,
      tags: nameTag(naming, "igw"),
    });
    const publicRouteTable = new RouteTable(this, "public-route-table", {
      provider,
      vpcId: vpc.id,
      tags: nameTag(naming, "public"),
    });
    new Route(this, "public-default-route", {
      provider,
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: internetGateway.id,
    });
    // No default route: private subnets reach AWS services through VPC endpoints only.
    const privateRouteTable = new RouteTable(this, "private-route-table", {
      provider,
      vpcId: vpc.id,
      tags: nameTag(naming, "private"),
    });
    return { public: publicRouteTable, private: privateRouteTable };
  }

  /** One public and one private subnet per zone, carved from the VPC CIDR, each with its route table. */
  private buildSubnets(vpc: Vpc, vpcCidr: Ipv4Cidr, zones: readonly string[], routeTables: Record<SubnetTier, RouteTable>): void {
    const { provider, naming } = this;
    zones.forEach((zoneId, position) => {
      for (const tier of SUBNET_TIERS) {
        const netNum = tier === "public" ? position : PRIVATE_SUBNET_OFFSET + position;
        const subnet = new Subnet(this, `${tier}-${zoneId}`, {
          provider,
          vpcId: vpc.id,
          availabilityZoneId: zoneId,
          cidrBlock: formatIpv4Cidr(cidrSubnet(vpcCidr, SUBNET_NEW_BITS, netNum)),
          mapPublicIpOnLaunch: false,
          tags: nameTag(naming, `${tier}-${zoneId}`),
        });
        new RouteTableAssociation(this, `${tier}-${zoneId}-route-table`, {
          provider,
          subnetId: subnet.id,
          routeTableId: routeTables[tier].id,
        });
        (tier === "public" ? this.publicSubnetIds : this.privateSubnetIds).push(subnet.id);
      }
    });
  }

  /** The workload group: HTTPS and SSH in from the allowed sources, HTTPS out to the VPC only. */
  private buildWorkloadSecurityGroup(vpc: Vpc, props: RegionalNetworkProps): SecurityGroup {
    const { provider, naming } = this;
    const group = new SecurityGroup(this, "workload-security-group", {
      provider,
      name: networkNames(naming).workloadSecurityGroup,
      description: "Workloads: HTTPS and SSH from allowed sources, HTTPS to the VPC",
      vpcId: vpc.id,
      tags: nameTag(naming, "workload"),
    });
    for (const cidr of props.allowedHttpsCidrs ?? [props.vpcCidr]) {
      this.ingressRule(`workload-https-from-${ruleKey(cidr)}`, group, HTTPS_PORT, cidr, `HTTPS from ${cidr}`, "workload-https-in");
    }
    for (const cidr of props.allowedSshCidrs ?? [props.vpcCidr]) {
      this.ingressRule(`workload-ssh-from-${ruleKey(cidr)}`, group, SSH_PORT, cidr, `SSH from ${cidr}`, "workload-ssh-in");
    }
    new VpcSecurityGroupEgressRule(this, "workload-https-to-vpc", {
      provider,
      securityGroupId: group.id,
      description: "HTTPS to VPC interface endpoints",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      cidrIpv4: props.vpcCidr,
      tags: nameTag(naming, "workload-https-out"),
    });
    return group;
  }

  /**
   * The execute-api interface endpoint behind its own security group, in the private subnets of
   * the zones that offer the service. Not every zone does, and AWS refuses an endpoint subnet in
   * one that does not ("does not support the availability zone of the subnet"); which zones do
   * varies by region and account, so it is looked up at plan time (zone names, which differ per
   * account, mapped to the AZ IDs the subnets use).
   */
  private buildExecuteApiEndpoint(vpc: Vpc, props: RegionalNetworkProps, zones: readonly string[]): { resource: VpcEndpoint; zoneIds: string[] } {
    const { provider, naming } = this;
    // Security groups are stateful, so the endpoint needs no egress rule to answer.
    const group = new SecurityGroup(this, "endpoint-security-group", {
      provider,
      name: networkNames(naming).endpointSecurityGroup,
      description: "execute-api interface endpoint: HTTPS from the VPC only",
      vpcId: vpc.id,
      tags: nameTag(naming, "execute-api-endpoint"),
    });
    this.ingressRule("endpoint-https-from-vpc", group, HTTPS_PORT, props.vpcCidr, "HTTPS from the VPC", "endpoint-https-in");
    const serviceName = `com.amazonaws.${naming.region}.execute-api`;
    const service = new DataAwsVpcEndpointService(this, "execute-api-service", { provider, serviceName, serviceType: "Interface" });
    const regionZones = new DataAwsAvailabilityZones(this, "availability-zones", { provider, state: "available" });
    const offeredZoneIds = Fn.matchkeys(regionZones.zoneIds, regionZones.names, service.availabilityZones);
    const subnetIds = Fn.matchkeys(this.privateSubnetIds, [...zones], offeredZoneIds);
    // The chosen zones that offer the service: static zones and looked-up data, so known at plan time.
    const zoneIds = Fn.matchkeys([...zones], [...zones], offeredZoneIds);
    const resource = new VpcEndpoint(this, "execute-api-endpoint", {
      provider,
      vpcId: vpc.id,
      serviceName,
      vpcEndpointType: "Interface",
      privateDnsEnabled: props.enableEndpointPrivateDns ?? true,
      subnetIds,
      securityGroupIds: [group.id],
      tags: nameTag(naming, "execute-api"),
      lifecycle: {
        precondition: [
          {
            // On the zone IDs, not the subnet IDs: those are unknown until apply, which would defer the
            // check until after everything else was created. Not Op.gt(..., 0): cdktf 0.21 renders a
            // literal 0 operand as "undefined".
            condition: Op.gte(Fn.lengthOf(zoneIds), 1),
            errorMessage: `None of the zones ${zones.join(", ")} offers ${serviceName} in this account; choose zones that do (aws ec2 describe-vpc-endpoint-services --service-names ${serviceName}).`,
          },
        ],
      },
    });
    return { resource, zoneIds };
  }

  /** Flow logs of all traffic into a KMS-encrypted log group with retention. */
  private buildFlowLogs(vpc: Vpc, props: RegionalNetworkProps): CloudwatchLogGroup {
    const { provider, naming } = this;
    const name = networkNames(naming).flowLogGroup;
    props.flowLogKey.grantLogGroupEncryption(name);
    const roleReady = props.flowLogRole.grantFlowLogDelivery(naming.region, name);
    const group = new CloudwatchLogGroup(this, "flow-log-group", {
      provider,
      name,
      retentionInDays: props.flowLogRetentionDays ?? BASELINE.logRetentionDays,
      kmsKeyId: props.flowLogKey.keyArn,
      tags: nameTag(naming, "flow-logs"),
    });
    new FlowLog(this, "flow-log", {
      provider,
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: props.flowLogRole.flowLogsRoleArn,
      tags: nameTag(naming, "flow-log"),
      dependsOn: [roleReady],
    });
    return group;
  }

  private ingressRule(id: string, group: SecurityGroup, port: number, cidr: string, description: string, component: string): void {
    new VpcSecurityGroupIngressRule(this, id, {
      provider: this.provider,
      securityGroupId: group.id,
      description,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      cidrIpv4: cidr,
      tags: nameTag(this.naming, component),
    });
  }

  /** Guards the invariants this construct owns; returns the parsed VPC CIDR. */
  private validate(props: RegionalNetworkProps, zones: readonly string[]) {
    const problems: string[] = [];
    const vpcCidr = parseIpv4Cidr(props.vpcCidr);
    if (typeof vpcCidr === "string") {
      problems.push(`'vpcCidr' ${vpcCidr}. Received: ${props.vpcCidr}`);
    } else if (vpcCidr.prefixLength < VPC_PREFIX_RANGE.min || vpcCidr.prefixLength > VPC_PREFIX_RANGE.max) {
      problems.push(`'vpcCidr' prefix must be /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}. Received: ${props.vpcCidr}`);
    }
    if (zones.length < 2 || zones.length > PRIVATE_SUBNET_OFFSET) {
      problems.push(`'availabilityZoneIds' needs 2 to ${PRIVATE_SUBNET_OFFSET} zones. Received: [${zones.join(", ")}]`);
    }
    const sshProblem = props.allowedSshCidrs ? adminSourcesProblem(props.allowedSshCidrs, "SSH") : undefined;
    if (sshProblem) problems.push(`'allowedSshCidrs' must not be this wide: ${sshProblem}. Received: [${props.allowedSshCidrs!.join(", ")}]`);
    if ((props.allowedSshCidrs ?? []).length > MAX_SSH_SOURCES) {
      problems.push(`'allowedSshCidrs' may list at most ${MAX_SSH_SOURCES} sources (each is a default network ACL entry; AWS allows ${NACL_RULES_PER_DIRECTION} per direction). Received: ${props.allowedSshCidrs!.length}`);
    }
    const retention = props.flowLogRetentionDays ?? BASELINE.logRetentionDays;
    const retentionProblem = Token.isUnresolved(retention) ? undefined : logRetentionProblem("flowLogRetentionDays", retention);
    if (retentionProblem) problems.push(retentionProblem);
    problems.push(...awsNameProblems(networkAwsNames(props.naming)));
    if (problems.length > 0 || typeof vpcCidr === "string") {
      throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    }
    return vpcCidr;
  }
}

/** A construct-id-safe key for a CIDR: stable, so adding a source never renames the others. */
function ruleKey(cidr: string): string {
  return cidr.replace(/[./:]/g, "-");
}
