import { fail, PASS, Rule, unknown } from "../rule";

export const VPC_RULES: readonly Rule[] = [
  {
    id: "VPC.FlowLogs",
    appliesTo: ["aws_vpc"],
    info: "The VPC has no flow log.",
    explanation: "Flow logs are the record of who talked to what; without them incidents cannot be reconstructed.",
    fix: "Add an aws_flow_log for the VPC, delivered to an encrypted destination with retention.",
    cis: "3.7",
    checkov: "CKV2_AWS_11",
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
    check: (subnet) => (subnet.body.map_public_ip_on_launch === true ? fail("map_public_ip_on_launch is true") : PASS),
  },
  {
    id: "VPC.EndpointPrivateDnsNeedsVpcDns",
    appliesTo: ["aws_vpc_endpoint"],
    info: "An interface endpoint has private DNS on, but its VPC lacks DNS support or DNS hostnames.",
    explanation: "AWS refuses private DNS for the endpoint unless the VPC has both enableDnsSupport and enableDnsHostnames.",
    fix: "Set enable_dns_support and enable_dns_hostnames to true on the VPC, or turn private_dns_enabled off.",
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
];
