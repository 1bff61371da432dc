import { adminSourcesProblem } from "./admin-sources";
import { fail, Outcome, PASS, Rule, StackElement, StackView } from "../compliance/rule";

import { ADMIN_PORTS, HIGH_RISK_PORTS, WORLD, WORLD_AUTHORIZED_TCP_PORTS } from "./network-facts";

/** The provider's default description, which says nothing about the group. */
const PROVIDER_DEFAULT_DESCRIPTION = "Managed by Terraform";

/** One traffic rule, whichever of the four ways it was declared. */
interface TrafficRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  readonly description?: string;
}

/** Normalizes separate rule resources and inline blocks into TrafficRules. */
function trafficRules(element: StackElement): TrafficRule[] {
  const body = element.body;
  const fromBlock = (direction: "ingress" | "egress", block: any): TrafficRule => ({
    direction,
    protocol: String(block.protocol ?? block.ip_protocol),
    fromPort: block.from_port,
    toPort: block.to_port,
    cidrs: [...(block.cidr_blocks ?? []), ...(block.ipv6_cidr_blocks ?? []), block.cidr_ipv4, block.cidr_ipv6].filter(Boolean),
    description: block.description,
  });
  switch (element.type) {
    case "aws_vpc_security_group_ingress_rule":
      return [fromBlock("ingress", body)];
    case "aws_vpc_security_group_egress_rule":
      return [fromBlock("egress", body)];
    case "aws_security_group_rule":
      return [fromBlock(body.type === "egress" ? "egress" : "ingress", body)];
    case "aws_security_group":
      return [
        ...[body.ingress ?? []].flat().map((block: any) => fromBlock("ingress", block)),
        ...[body.egress ?? []].flat().map((block: any) => fromBlock("egress", block)),
      ];
    default:
      return [];
  }
}

const allPorts = (rule: TrafficRule) =>
  rule.protocol === "-1" || rule.protocol === "all" || (rule.fromPort === 0 && rule.toPort === 65535);
const covers = (rule: TrafficRule, port: number) =>
  allPorts(rule) || (rule.fromPort !== undefined && rule.toPort !== undefined && rule.fromPort <= port && port <= rule.toPort);
const fromWorld = (rule: TrafficRule) => rule.cidrs.some((cidr) => WORLD.includes(cidr));
const worldCidrs = (rule: TrafficRule) => rule.cidrs.filter((cidr) => WORLD.includes(cidr)).join(", ");
/** TCP, UDP or every protocol: the ones whose from_port/to_port are ports (ICMP's are types and codes). */
const carriesPorts = (rule: TrafficRule) => ["tcp", "6", "udp", "17", "-1", "all"].includes(rule.protocol.toLowerCase());
const isTcp = (rule: TrafficRule) => ["tcp", "6"].includes(rule.protocol.toLowerCase());
const portRange = (rule: TrafficRule) => (allPorts(rule) ? "all ports" : rule.fromPort === rule.toPort ? `port ${rule.fromPort}` : `ports ${rule.fromPort}-${rule.toPort}`);

const RULE_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

function firstFailure(element: StackElement, test: (rule: TrafficRule) => string | undefined): Outcome {
  for (const rule of trafficRules(element)) {
    const problem = test(rule);
    if (problem) return fail(problem);
  }
  return PASS;
}

/** Separate rule resources that add to a group in this stack (their sources count with the group's). */
function rulesOf(group: StackElement, stack: StackView): TrafficRule[] {
  return [
    ...trafficRules(group),
    ...stack.referencing("aws_vpc_security_group_ingress_rule", "security_group_id", group).flatMap(trafficRules),
    ...stack.referencing("aws_security_group_rule", "security_group_id", group).flatMap(trafficRules),
  ];
}

/** A separate rule resource whose group is in the stack is judged with the group, not alone. */
const judgedWithItsGroup = (element: StackElement, stack: StackView) =>
  element.type !== "aws_security_group" && stack.referencedElement(element.body.security_group_id)?.type === "aws_security_group";

export const SECURITY_GROUP_RULES: readonly Rule[] = [
  {
    id: "EC2.NoWorldAdminIngress",
    appliesTo: RULE_TYPES,
    info: "A security group opens SSH (22), RDP (3389) or all ports to the world, or to sources too wide together (wider than /8 each, or more than a /8 of public addresses in all).",
    explanation: "Remote administration open to the internet is the most scanned and brute-forced exposure there is; splitting 0.0.0.0/0 into halves opens it just as wide.",
    fix: "Allow admin ports only from known ranges (a VPN or bastion CIDR) or use Session Manager instead.",
    cis: "5.2, 5.3",
    checkov: "CKV_AWS_24, CKV_AWS_25, CKV_AWS_277",
    fsbp: [],
    check(element, stack) {
      if (judgedWithItsGroup(element, stack)) return PASS;
      const ingress = (element.type === "aws_security_group" ? rulesOf(element, stack) : trafficRules(element)).filter((rule) => rule.direction === "ingress");
      const worldAllPorts = ingress.find((rule) => allPorts(rule) && fromWorld(rule));
      if (worldAllPorts) return fail(`all ports are open to ${worldAllPorts.cidrs.join(", ")}`);
      for (const [port, service] of ADMIN_PORTS) {
        const sources = [...new Set(ingress.filter((rule) => covers(rule, port)).flatMap((rule) => rule.cidrs))];
        const problem = sources.length > 0 ? adminSourcesProblem(sources, service) : undefined;
        if (problem) return fail(`port ${port}: ${problem}`);
      }
      return PASS;
    },
  },
  {
    id: "EC2.NoWorldHighRiskPorts",
    appliesTo: RULE_TYPES,
    info: `A security group opens one of the high-risk ports of FSBP EC2.19 (${HIGH_RISK_PORTS.join(", ")}) to 0.0.0.0/0 or ::/0.`,
    explanation: "FTP, Telnet, SMTP, POP3, RPC, SMB, database, Kibana, Elasticsearch and development-server ports open to the internet are scanned for constantly and often carry no authentication of their own.",
    fix: "Open these ports only to known ranges or security groups, or put the service behind a load balancer, VPN or Session Manager.",
    checkov: "CKV_AWS_24, CKV_AWS_25 (22 and 3389 only)",
    fsbp: ["EC2.19"],
    check: (element) =>
      firstFailure(element, (rule) => {
        if (rule.direction !== "ingress" || !fromWorld(rule) || !carriesPorts(rule)) return undefined;
        const open = HIGH_RISK_PORTS.filter((port) => covers(rule, port));
        return open.length > 0 ? `${rule.protocol} ${portRange(rule)} from ${worldCidrs(rule)} opens high-risk port${open.length > 1 ? "s" : ""} ${open.join(", ")}` : undefined;
      }),
  },
  {
    id: "EC2.WorldIngressAuthorizedPortsOnly",
    appliesTo: RULE_TYPES,
    info: `A security group allows ingress from 0.0.0.0/0 or ::/0 other than TCP ${WORLD_AUTHORIZED_TCP_PORTS.join(" and ")}.`,
    explanation: "Every port open to the whole internet is attack surface; web traffic (HTTP, HTTPS) is the only exposure FSBP EC2.18 authorizes by default.",
    fix: `Open only TCP ${WORLD_AUTHORIZED_TCP_PORTS.join(" and ")} to the world; allow everything else from known ranges or security groups.`,
    fsbp: ["EC2.18"],
    check: (element) =>
      firstFailure(element, (rule) => {
        if (rule.direction !== "ingress" || !fromWorld(rule)) return undefined;
        const authorized = isTcp(rule) && !allPorts(rule) && rule.fromPort !== undefined && rule.fromPort === rule.toPort && WORLD_AUTHORIZED_TCP_PORTS.includes(rule.fromPort);
        return authorized ? undefined : `${rule.protocol} ${portRange(rule)} is open to ${worldCidrs(rule)}; only TCP ${WORLD_AUTHORIZED_TCP_PORTS.join(" and ")} may be`;
      }),
  },
  {
    id: "EC2.NoWorldAllPortsEgress",
    appliesTo: RULE_TYPES,
    info: "A security group allows egress to 0.0.0.0/0 or ::/0 on all ports.",
    explanation: "Unrestricted egress is the path data takes out after a compromise.",
    fix: "Limit egress to the ports and destinations the workload needs (for example HTTPS to the VPC endpoints).",
    checkov: "CKV_AWS_382",
    fsbp: [],
    check: (element) =>
      firstFailure(element, (rule) =>
        rule.direction === "egress" && fromWorld(rule) && allPorts(rule) ? `all ports are open to ${rule.cidrs.join(", ")}` : undefined,
      ),
  },
  {
    id: "EC2.Descriptions",
    appliesTo: RULE_TYPES,
    info: "A security group or one of its rules has no description.",
    explanation: "Reviews and incident response depend on knowing why each opening exists.",
    fix: "Give every security group and rule a description that says what it allows and why.",
    checkov: "CKV_AWS_23",
    fsbp: [],
    check(element) {
      if (element.type === "aws_security_group") {
        const description = element.body.description;
        if (!description || description === PROVIDER_DEFAULT_DESCRIPTION) return fail("the group has no description of its own");
      }
      return firstFailure(element, (rule) => (rule.description ? undefined : `a ${rule.direction} rule has no description`));
    },
  },
];
