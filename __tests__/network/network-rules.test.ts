import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { VPC_RULES } from "../../src/network/vpc-rules";
import { SECURITY_GROUP_RULES } from "../../src/network/security-group-rules";
import { BrokenExamples, describeBrokenExamples, audit, vpc, group, worldIngress, Build } from "../compliance/rule-harness";

const BROKEN: BrokenExamples = {
  "VPC.FlowLogs": [(s, p) => vpc(s, p), "rules/vpc"],
  "VPC.DefaultSecurityGroupClosed": [(s, p) => new DefaultSecurityGroup(s, "default", { provider: p, vpcId: vpc(s, p).id, tags: { Name: "d" } }), "rules/vpc"],
  "VPC.NoPublicIpOnLaunch": [(s, p) => new Subnet(s, "subnet", { provider: p, vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true, tags: { Name: "s" } }), "rules/subnet"],
  "VPC.EndpointPrivateDnsNeedsVpcDns": [
    (s, p) => new VpcEndpoint(s, "endpoint", { provider: p, vpcId: vpc(s, p, false).id, serviceName: "com.amazonaws.us-east-1.execute-api", vpcEndpointType: "Interface", privateDnsEnabled: true, tags: { Name: "e" } }),
    "rules/endpoint",
  ],
  "EC2.NoWorldAdminIngress": [worldIngress(22), "rules/group"],
  "EC2.NoWorldHighRiskPorts": [worldIngress(3306), "rules/ingress"],
  "EC2.WorldIngressAuthorizedPortsOnly": [worldIngress(8443), "rules/ingress"],
  "EC2.NoWorldAllPortsEgress": [
    (s, p) => new VpcSecurityGroupEgressRule(s, "egress", { provider: p, securityGroupId: group(s, p).id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "all out", tags: { Name: "r" } }),
    "rules/egress",
  ],
  "EC2.Descriptions": [(s, p) => new SecurityGroup(s, "group", { provider: p, vpcId: "vpc-1", tags: { Name: "g" } }), "rules/group"],
  "VPC.NetworkAclNoAdminFromAnywhere": [
    (s, p) =>
      new DefaultNetworkAcl(s, "default-acl", {
        provider: p,
        defaultNetworkAclId: vpc(s, p).defaultNetworkAclId,
        ingress: [{ ruleNo: 100, action: "allow", protocol: "-1", cidrBlock: "0.0.0.0/0", fromPort: 0, toPort: 0 }],
        tags: { Name: "d" },
      }),
    "rules/vpc",
  ],
};

describe("network rules", () => {
  describeBrokenExamples([...VPC_RULES, ...SECURITY_GROUP_RULES], BROKEN);

  describe("EC2.NoWorldAdminIngress judges a group's sources together", () => {
    const ingressOn = (s: Construct, p: AwsProvider, groupId: string, id: string, cidr: string, port = 22) =>
      new VpcSecurityGroupIngressRule(s, id, { provider: p, securityGroupId: groupId, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr, description: "admin", tags: { Name: "r" } });
    const adminFailures = (build: Build) => audit(build).failures.filter((f) => f.rule.id === "EC2.NoWorldAdminIngress").map((f) => [f.element.path, f.detail]);

    test("0.0.0.0/0 split into two rules is the world, and is reported on the group", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "low-half", "0.0.0.0/1");
        ingressOn(s, p, g.id, "high-half", "128.0.0.0/1");
      })).toEqual([["rules/group", 'port 22: "0.0.0.0/1" opens SSH to more than a /8']]);
    });

    test("two public /8s in separate rules are together too wide for RDP", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "a", "1.0.0.0/8", 3389);
        ingressOn(s, p, g.id, "b", "2.0.0.0/8", 3389);
      })).toEqual([["rules/group", 'port 3389: "1.0.0.0/8,2.0.0.0/8" together open RDP to 33,554,432 public addresses, more than a /8 (16,777,216)']]);
    });

    test("private ranges and a narrow public range pass; a rule on a group outside the stack is judged alone", () => {
      expect(adminFailures((s, p) => {
        const g = group(s, p);
        ingressOn(s, p, g.id, "corp", "10.0.0.0/8");
        ingressOn(s, p, g.id, "vpn", "192.0.2.0/24");
        ingressOn(s, p, "sg-0123456789abcdef0", "elsewhere", "0.0.0.0/0");
      })).toEqual([["rules/elsewhere", '"0.0.0.0/0" opens SSH to the whole internet'.replace(/^/, "port 22: ")]]);
    });
  });

  describe("EC2.NoWorldHighRiskPorts (FSBP EC2.19) and EC2.WorldIngressAuthorizedPortsOnly (FSBP EC2.18)", () => {
    const worldFailures = (build: Build) =>
      audit(build)
        .failures.filter((f) => f.rule.id === "EC2.NoWorldHighRiskPorts" || f.rule.id === "EC2.WorldIngressAuthorizedPortsOnly")
        .map((f) => [f.rule.id, f.element.path, f.detail]);
    const ingress = (protocol: string, fromPort: number | undefined, toPort: number | undefined, cidr: { cidrIpv4?: string; cidrIpv6?: string }) => (s: Construct, p: AwsProvider) =>
      new VpcSecurityGroupIngressRule(s, "ingress", { provider: p, securityGroupId: "sg-0123456789abcdef0", ipProtocol: protocol, fromPort, toPort, ...cidr, description: "test", tags: { Name: "r" } });

    test("TCP 80 and 443 from the world pass both; any port from known ranges passes both", () => {
      expect(worldFailures(ingress("tcp", 80, 80, { cidrIpv4: "0.0.0.0/0" }))).toEqual([]);
      expect(worldFailures(ingress("tcp", 443, 443, { cidrIpv6: "::/0" }))).toEqual([]);
      expect(worldFailures(ingress("tcp", 3306, 3306, { cidrIpv4: "10.0.0.0/8" }))).toEqual([]);
      expect(worldFailures(ingress("-1", undefined, undefined, { cidrIpv4: "192.0.2.0/24" }))).toEqual([]);
    });

    test("each of the control's high-risk ports from the world fails EC2.19; ports next to them do not", () => {
      const highRisk = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];
      const fails19 = (port: number) => worldFailures(ingress("tcp", port, port, { cidrIpv4: "0.0.0.0/0" })).some(([id]) => id === "EC2.NoWorldHighRiskPorts");
      expect(highRisk.filter((port) => !fails19(port))).toEqual([]);
      expect([19, 24, 26, 111, 444, 446, 3001, 3307, 8081, 9201, 9301].filter(fails19)).toEqual([]);
    });

    test("a range, UDP, every protocol and ::/0 are judged by the ports they open; ICMP carries no ports", () => {
      expect(worldFailures(ingress("tcp", 1000, 2000, { cidrIpv4: "0.0.0.0/0" }))).toEqual([
        ["EC2.NoWorldHighRiskPorts", "rules/ingress", "tcp ports 1000-2000 from 0.0.0.0/0 opens high-risk ports 1433, 1434"],
        ["EC2.WorldIngressAuthorizedPortsOnly", "rules/ingress", "tcp ports 1000-2000 is open to 0.0.0.0/0; only TCP 80 and 443 may be"],
      ]);
      expect(worldFailures(ingress("udp", 445, 445, { cidrIpv6: "::/0" })).map(([id]) => id)).toEqual(["EC2.NoWorldHighRiskPorts", "EC2.WorldIngressAuthorizedPortsOnly"]);
      expect(worldFailures(ingress("udp", 53, 53, { cidrIpv4: "0.0.0.0/0" })).map(([id]) => id)).toEqual(["EC2.WorldIngressAuthorizedPortsOnly"]);
      expect(worldFailures(ingress("udp", 443, 443, { cidrIpv4: "0.0.0.0/0" })).map(([id]) => id)).toEqual(["EC2.WorldIngressAuthorizedPortsOnly"]);
      expect(worldFailures(ingress("icmp", 22, 0, { cidrIpv4: "0.0.0.0/0" })).map(([id]) => id)).toEqual(["EC2.WorldIngressAuthorizedPortsOnly"]);
      expect(worldFailures(ingress("-1", undefined, undefined, { cidrIpv4: "0.0.0.0/0" })).map(([, , detail]) => detail)).toEqual([
        "-1 all ports from 0.0.0.0/0 opens high-risk ports 20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300",
        "-1 all ports is open to 0.0.0.0/0; only TCP 80 and 443 may be",
      ]);
    });

    test("a group's inline ingress blocks are judged too", () => {
      const inline = (s: Construct, p: AwsProvider) =>
        new SecurityGroup(s, "group", {
          provider: p,
          vpcId: "vpc-1",
          description: "inline",
          ingress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "https" },
            { protocol: "tcp", fromPort: 5432, toPort: 5432, ipv6CidrBlocks: ["::/0"], description: "postgres" },
          ],
          tags: { Name: "g" },
        });
      expect(worldFailures(inline).map(([id, path, detail]) => [id, path, detail])).toEqual([
        ["EC2.NoWorldHighRiskPorts", "rules/group", "tcp port 5432 from ::/0 opens high-risk port 5432"],
        ["EC2.WorldIngressAuthorizedPortsOnly", "rules/group", "tcp port 5432 is open to ::/0; only TCP 80 and 443 may be"],
      ]);
    });
  });

  describe("VPC.NetworkAclNoAdminFromAnywhere", () => {
    const aclFailures = (build: Build) => audit(build).failures.filter((f) => f.rule.id === "VPC.NetworkAclNoAdminFromAnywhere").map((f) => [f.element.path, f.detail]);

    test("a VPC whose default ACL is not managed keeps AWS's allow-all", () => {
      expect(aclFailures((s, p) => vpc(s, p))).toEqual([["rules/vpc", "the default network ACL is not managed, so AWS's allow-all entries stay"]]);
    });

    test("ranges that skip 22 and 3389 pass; a range over 3389 (TCP or UDP) fails, also in custom ACLs and single rules", () => {
      const entries = (ranges: [string, number, number][]) => ranges.map(([protocol, fromPort, toPort], i) => ({ ruleNo: 100 + i, action: "allow", protocol, cidrBlock: "0.0.0.0/0", fromPort, toPort }));
      const defaultAcl = (ranges: [string, number, number][]) => (s: Construct, p: AwsProvider) =>
        new DefaultNetworkAcl(s, "default-acl", { provider: p, defaultNetworkAclId: vpc(s, p).defaultNetworkAclId, ingress: entries(ranges), tags: { Name: "d" } });
      expect(aclFailures(defaultAcl([["6", 0, 21], ["6", 23, 3388], ["6", 3390, 65535], ["17", 23, 3388]]))).toEqual([]);
      expect(aclFailures(defaultAcl([["6", 23, 65535]]))).toEqual([["rules/vpc", expect.stringContaining("entry 100 allows RDP (3389) from 0.0.0.0/0")]]);
      expect(aclFailures(defaultAcl([["17", 0, 100]]))).toEqual([["rules/vpc", expect.stringContaining("entry 100 allows SSH (22)")]]);
      expect(aclFailures((s, p) => new NetworkAcl(s, "acl", { provider: p, vpcId: "vpc-1", ingress: entries([["tcp", 22, 22]]), tags: { Name: "a" } }))).toEqual([["rules/acl", "entry 100 allows SSH (22) from 0.0.0.0/0"]]);
      expect(
        aclFailures((s, p) => new NetworkAclRule(s, "rule", { provider: p, networkAclId: "acl-1", ruleNumber: 5, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: 3389, toPort: 3389 })),
      ).toEqual([["rules/rule", "entry 5 allows RDP (3389) from 0.0.0.0/0"]]);
    });
  });
});
