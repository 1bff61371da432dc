import { executeApiZoneIds } from "../../scripts/terraform/zones";
import { availabilityZonesFor } from "../../src/network/regions";
import type { PlannedStack } from "../terraform/planned-stack";

/** The Terraform tier's checks of the network concern in a real plan (see describePlannedStack). */
export function describePlannedNetwork(stack: PlannedStack): void {
  const { config, changes, inRegion } = stack;
  describe("network: VPCs, subnets, security groups, endpoints, network ACLs", () => {
    test("networks: DNS on, no public IPs on launch, empty default security group, SSH only from the allowed sources", () => {
      for (const vpc of changes("aws_vpc")) {
        expect(vpc.change.after).toMatchObject({
          enable_dns_support: true,
          enable_dns_hostnames: true,
          cidr_block: config.regions.find((r) => r.region === inRegion(vpc))!.vpcCidr,
        });
      }
      expect(changes("aws_subnet").every((s) => s.change.after.map_public_ip_on_launch === false)).toBe(true);
      for (const group of changes("aws_default_security_group")) {
        expect(group.change.after).toMatchObject({ ingress: [], egress: [] });
      }
      const ssh = changes("aws_vpc_security_group_ingress_rule").filter((r) => r.change.after.from_port === 22);
      for (const rule of ssh) {
        const vpcCidr = config.regions.find((r) => r.region === inRegion(rule))!.vpcCidr;
        expect(config.allowedSshCidrs ?? [vpcCidr]).toContain(rule.change.after.cidr_ipv4);
      }
      for (const endpoint of changes("aws_vpc_endpoint")) {
        expect(endpoint.change.after).toMatchObject({
          service_name: `com.amazonaws.${inRegion(endpoint)}.execute-api`,
          vpc_endpoint_type: "Interface",
          private_dns_enabled: config.endpointPrivateDns,
        });
      }
    });
    test("each execute-api endpoint goes only to chosen zones that offer the service, and API Gateway settings reset on destroy", () => {
      const endpointZones = stack.plan().output_changes.execute_api_endpoint_zone_ids.after as Record<string, string[]>;
      for (const { region } of config.regions) {
        const chosen = availabilityZonesFor(region, config.availabilityZoneCount);
        expect({ region, zones: endpointZones[region] }).toEqual({ region, zones: chosen.filter((zone) => executeApiZoneIds(region).includes(zone)) });
      }
      for (const account of changes("aws_api_gateway_account")) expect(account.change.after.reset_on_delete).toBe(true);
    });
    test("each VPC's default network ACL admits neither SSH nor RDP from anywhere (CIS 5.1)", () => {
      const acls = changes("aws_default_network_acl");
      expect(acls).toHaveLength(config.regions.length);
      for (const acl of acls) {
        for (const entry of acl.change.after.ingress.filter((e: any) => e.cidr_block === "0.0.0.0/0")) {
          expect(entry.protocol).not.toBe("-1");
          for (const port of [22, 3389]) expect({ entry, covers: entry.from_port <= port && port <= entry.to_port }).toEqual({ entry, covers: false });
        }
      }
    });
  });
}
