import { fail, Outcome, PASS, Rule, StackElement, unknown } from "../compliance/rule";
import { ADMIN_PORTS, WORLD } from "./network-facts";

/** Protocols (names and IANA numbers) a network ACL entry can carry SSH or RDP over; -1 is every protocol. */
const ADMIN_CAPABLE_PROTOCOLS = new Set(["-1", "all", "tcp", "6", "udp", "17"]);

/** A network ACL ingress entry, from an inline block or an aws_network_acl_rule. */
interface AclEntry {
  readonly ruleNo: number;
  readonly allow: boolean;
  readonly protocol: string;
  readonly cidr?: string;
  readonly fromPort: number;
  readonly toPort: number;
}

function ingressEntries(acl: StackElement): AclEntry[] {
  if (acl.type === "aws_network_acl_rule") {
    const body = acl.body;
    if (body.egress === true) return [];
    return [{ ruleNo: body.rule_number, allow: body.rule_action === "allow", protocol: String(body.protocol), cidr: body.cidr_block ?? body.ipv6_cidr_block, fromPort: body.from_port ?? 0, toPort: body.to_port ?? 0 }];
  }
  return [acl.body.ingress ?? []].flat().map((entry: any) => ({
    ruleNo: entry.rule_no,
    allow: entry.action === "allow",
    protocol: String(entry.protocol),
    cidr: entry.cidr_block ?? entry.ipv6_cidr_block,
    fromPort: entry.from_port ?? 0,
    toPort: entry.to_port ?? 0,
  }));
}

/**
 * Fails when an entry allows SSH or RDP from anywhere. Strict, like the benchmark's audit and
 * AWS Config's nacl-no-unrestricted-ssh-rdp: an earlier deny does not excuse a later allow.
 */
function aclAdmitsAdminFromAnywhere(acl: StackElement): Outcome {
  for (const entry of ingressEntries(acl)) {
    if (!entry.allow || !entry.cidr || !WORLD.includes(entry.cidr) || !ADMIN_CAPABLE_PROTOCOLS.has(entry.protocol.toLowerCase())) continue;
    for (const [port, name] of ADMIN_PORTS) {
      if (entry.protocol === "-1" || entry.protocol.toLowerCase() === "all" || (entry.fromPort <= port && port <= entry.toPort)) {
        return fail(`entry ${entry.ruleNo} allows ${name} (${port}) from ${entry.cidr}`);
      }
    }
  }
  return PASS;
}

export const VPC_RULES: readonly Rule[] = [
  {
    id: "VPC.FlowLogs",
    appliesTo: ["aws_vpc"],
    info: "The VPC has no flow log.",
    explanation: "Flow logs are the record of who talked to what; without them incidents cannot be reconstructed.",
    fix: "Add an aws_flow_log for the VPC, delivered to an encrypted destination with retention.",
    cis: "3.7",
    checkov: "CKV2_AWS_11",
    fsbp: ["EC2.6"],
    check: (vpc, stack) => (stack.referencing("aws_flow_log", "vpc_id", vpc).length > 0 ? PASS : fail("no aws_flow_log for this VPC")),
  },
  {
    id: "VPC.DefaultSecurityGroupClosed",
    appliesTo: ["aws_vpc"],
    info: "The VPC's default security group still allows traffic.",
    explanation: "AWS creates the default group with allow rules, and resources launched without a group land in it.",
    fix: "Add an aws_default_security_group for the VPC with explicit empty ingress and egress lists.",
    cis: "5.4",
    checkov: "CKV2_AWS_12",
    fsbp: ["EC2.2"],
    check(vpc, stack) {
      const [group] = stack.referencing("aws_default_security_group", "vpc_id", vpc);
      if (!group) return fail("the default security group is not managed, so AWS's default rules stay");
      const empty = (rules: unknown) => Array.isArray(rules) && rules.length === 0;
      return empty(group.body.ingress) && empty(group.body.egress)
        ? PASS
        : fail("ingress and egress must both be explicit empty lists (an omitted list leaves AWS's rules in place)");
    },
  },
  {
    id: "VPC.NoPublicIpOnLaunch",
    appliesTo: ["aws_subnet"],
    info: "The subnet gives instances a public IP address on launch.",
    explanation: "Automatic public IPs expose every instance launched there to the internet by default.",
    fix: "Set map_public_ip_on_launch = false and attach public addresses only where needed.",
    checkov: "CKV_AWS_130",
    fsbp: ["EC2.15"],
    check: (subnet) => (subnet.body.map_public_ip_on_launch === true ? fail("map_public_ip_on_launch is true") : PASS),
  },
  {
    id: "VPC.EndpointPrivateDnsNeedsVpcDns",
    appliesTo: ["aws_vpc_endpoint"],
    info: "An interface endpoint has private DNS on, but its VPC lacks DNS support or DNS hostnames.",
    explanation: "AWS refuses private DNS for the endpoint unless the VPC has both enableDnsSupport and enableDnsHostnames.",
    fix: "Set enable_dns_support and enable_dns_hostnames to true on the VPC, or turn private_dns_enabled off.",
    fsbp: [],
    check(endpoint, stack) {
      if (endpoint.body.vpc_endpoint_type !== "Interface" || endpoint.body.private_dns_enabled !== true) return PASS;
      const vpc = stack.referencedElement(endpoint.body.vpc_id);
      if (!vpc || vpc.type !== "aws_vpc") return unknown("the endpoint's VPC is not in this stack");
      const missing = [
        vpc.body.enable_dns_support === false ? "enable_dns_support" : undefined,
        vpc.body.enable_dns_hostnames !== true ? "enable_dns_hostnames" : undefined,
      ].filter(Boolean);
      return missing.length === 0 ? PASS : fail(`the VPC ${vpc.path} lacks ${missing.join(" and ")}`);
    },
  },
  {
    id: "VPC.NetworkAclNoAdminFromAnywhere",
    appliesTo: ["aws_vpc", "aws_network_acl", "aws_network_acl_rule"],
    info: "A network ACL (for a VPC: its default ACL, which AWS creates allowing everything) admits SSH or RDP from anywhere.",
    explanation: "ACLs are the subnet-wide layer under security groups; leaving the admin ports open there means one permissive group exposes them.",
    fix: "Manage the VPC's default ACL (aws_default_network_acl) with entries that skip ports 22 and 3389 for 0.0.0.0/0 and ::/0, and allow SSH only from named sources.",
    cis: "5.1",
    checkov: "CKV_AWS_229-232 (aws_network_acl and aws_network_acl_rule only)",
    fsbp: ["EC2.21"],
    check(element, stack) {
      if (element.type !== "aws_vpc") return aclAdmitsAdminFromAnywhere(element);
      const [acl] = stack.ofType("aws_default_network_acl").filter((candidate) => stack.referencedElement(candidate.body.default_network_acl_id) === element);
      if (!acl) return fail("the default network ACL is not managed, so AWS's allow-all entries stay");
      const outcome = aclAdmitsAdminFromAnywhere(acl);
      return outcome.status === "fail" ? fail(`default ACL ${acl.path}: ${outcome.detail}`) : outcome;
    },
  },
];
