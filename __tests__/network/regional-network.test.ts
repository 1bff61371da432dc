import { IFlowLogDeliveryRole } from "../../src/identity/global-identity";
import { RegionalNetwork, RegionalNetworkProps } from "../../src/network/regional-network";
import { ILogEncryptionKey } from "../../src/storage/secure-storage";
import { dataReferenceTo, dataSourceAt, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "us-east-1";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test";
const ROLE_ARN = "arn:aws:iam::123456789012:role/flow-logs";
/** Stand-ins for SecureStorage and GlobalIdentity that record the grants the network asks of them. */
const grants = { key: [] as string[], role: [] as [string, string][] };
const flowLogKey: ILogEncryptionKey = { keyArn: KEY_ARN, grantLogGroupEncryption: (name) => void grants.key.push(name) };
const flowLogRole: IFlowLogDeliveryRole = {
  flowLogsRoleArn: ROLE_ARN,
  grantFlowLogDelivery: (region, name) => (grants.role.push([region, name]), { fqn: "aws_iam_role_policy.flow-logs-policy" }),
};
const baseProps: Omit<RegionalNetworkProps, "provider"> = {
  naming: { project: "tap", environment: "dev", region: REGION },
  vpcCidr: "10.10.0.0/16",
  flowLogKey,
  flowLogRole,
};
const PRIVATE_ZONES = ["use1-az1", "use1-az2", "use1-az4"];

function synthNetwork(props: Partial<RegionalNetworkProps> = {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => new RegionalNetwork(scope, "network", { ...baseProps, ...props, provider }));
}

function buildNetwork(props: Partial<RegionalNetworkProps>): () => void {
  return () => synthNetwork(props);
}

describe("RegionalNetwork", () => {
  const json = synthNetwork();

  test("matches the synth-scope snapshot", () => {
    expect(
      synthScopeOf(REGION, (scope, provider) => new RegionalNetwork(scope, "network", { ...baseProps, provider })),
    ).toMatchSnapshot();
  });

  test("the VPC has DNS support and DNS hostnames on, so private DNS on the endpoint resolves", () => {
    expect(resourceAt(json, "aws_vpc", "network/vpc")).toMatchObject({
      cidr_block: "10.10.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "tap-dev-us-east-1-vpc" },
    });
  });

  test("public and private subnets span three zones by AZ ID, carved from the VPC CIDR, with no public IPs on launch", () => {
    const subnets = resourcesOf(json, "aws_subnet").map(([, body]) => body);
    expect(subnets).toHaveLength(6);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    const byTier = (tier: string) =>
      subnets
        .filter((s) => s.tags.Name.includes(`-${tier}-`))
        .map((s) => [s.availability_zone_id, s.cidr_block]);
    expect(byTier("public")).toEqual([
      ["use1-az1", "10.10.0.0/19"],
      ["use1-az2", "10.10.32.0/19"],
      ["use1-az4", "10.10.64.0/19"],
    ]);
    expect(byTier("private")).toEqual([
      ["use1-az1", "10.10.128.0/19"],
      ["use1-az2", "10.10.160.0/19"],
      ["use1-az4", "10.10.192.0/19"],
    ]);
  });

  test("only the public route table has a default route, and it goes to the internet gateway", () => {
    const routes = resourcesOf(json, "aws_route").map(([, body]) => body);
    expect(routes).toEqual([
      expect.objectContaining({
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: referenceTo(json, "aws_internet_gateway", "network/internet-gateway", "id"),
        route_table_id: referenceTo(json, "aws_route_table", "network/public-route-table", "id"),
      }),
    ]);
  });

  test("every subnet is associated with the route table of its tier", () => {
    const associations = resourcesOf(json, "aws_route_table_association").map(([, body]) => body);
    expect(associations).toHaveLength(6);
    for (const tier of ["public", "private"]) {
      const table = referenceTo(json, "aws_route_table", `network/${tier}-route-table`, "id");
      for (const zone of ["use1-az1", "use1-az2", "use1-az4"]) {
        expect(resourceAt(json, "aws_route_table_association", `network/${tier}-${zone}-route-table`)).toMatchObject({
          route_table_id: table,
          subnet_id: referenceTo(json, "aws_subnet", `network/${tier}-${zone}`, "id"),
        });
      }
    }
  });

  test("the default security group is taken over with explicit empty rule lists", () => {
    const group = resourceAt(json, "aws_default_security_group", "network/default-security-group");
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([]);
    expect(group.vpc_id).toBe(referenceTo(json, "aws_vpc", "network/vpc", "id"));
  });

  test("SSH and HTTPS reach workloads only from the VPC CIDR by default, with descriptions", () => {
    const rules = resourcesOf(json, "aws_vpc_security_group_ingress_rule")
      .map(([, body]) => body)
      .filter((r) => r.security_group_id === referenceTo(json, "aws_security_group", "network/workload-security-group", "id"));
    expect(rules.map((r) => [r.from_port, r.to_port, r.ip_protocol, r.cidr_ipv4, r.description])).toEqual([
      [443, 443, "tcp", "10.10.0.0/16", "HTTPS from 10.10.0.0/16"],
      [22, 22, "tcp", "10.10.0.0/16", "SSH from 10.10.0.0/16"],
    ]);
  });

  test("configured SSH sources each get their own rule, and [] removes SSH", () => {
    const custom = synthNetwork({ allowedSshCidrs: ["192.0.2.0/24", "198.51.100.7/32"] });
    const ssh = resourcesOf(custom, "aws_vpc_security_group_ingress_rule")
      .map(([, body]) => body)
      .filter((r) => r.from_port === 22);
    expect(ssh.map((r) => r.cidr_ipv4)).toEqual(["192.0.2.0/24", "198.51.100.7/32"]);

    const none = synthNetwork({ allowedSshCidrs: [] });
    expect(resourcesOf(none, "aws_vpc_security_group_ingress_rule").some(([, r]) => r.from_port === 22)).toBe(false);
  });

  test("the only egress rule is HTTPS to the VPC (no all-ports egress to the world)", () => {
    const egress = resourcesOf(json, "aws_vpc_security_group_egress_rule").map(([, body]) => body);
    expect(egress).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.10.0.0/16" }),
    ]);
    for (const group of resourcesOf(json, "aws_security_group").map(([, body]) => body)) {
      expect(group.egress).toBeUndefined();
      expect(group.description.length).toBeGreaterThan(0);
    }
  });

  test("the execute-api endpoint sits behind its own security group, in the private subnets of the zones that offer the service", () => {
    const endpoint = resourceAt(json, "aws_vpc_endpoint", "network/execute-api-endpoint");
    const subnets = `[${PRIVATE_ZONES.map((zone) => referenceTo(json, "aws_subnet", `network/private-${zone}`, "id").slice(2, -1)).join(", ")}]`;
    const zoneIds = dataReferenceTo(json, "aws_availability_zones", "network/availability-zones", "zone_ids").slice(2, -1);
    const zoneNames = dataReferenceTo(json, "aws_availability_zones", "network/availability-zones", "names").slice(2, -1);
    const offered = dataReferenceTo(json, "aws_vpc_endpoint_service", "network/execute-api-service", "availability_zones").slice(2, -1);
    // Offered zone names map to AZ IDs (names differ per account), and only subnets in those IDs are used.
    const offeredZoneIds = `matchkeys(${zoneIds}, ${zoneNames}, tolist(${offered}))`;
    const subnetIds = `matchkeys(${subnets}, ${JSON.stringify(PRIVATE_ZONES).replace(/,/g, ", ")}, ${offeredZoneIds})`;
    expect(endpoint).toMatchObject({
      service_name: "com.amazonaws.us-east-1.execute-api",
      vpc_endpoint_type: "Interface",
      private_dns_enabled: true,
      security_group_ids: [referenceTo(json, "aws_security_group", "network/endpoint-security-group", "id")],
      subnet_ids: `\${${subnetIds}}`,
      lifecycle: { precondition: [{ condition: `\${(length(matchkeys(${JSON.stringify(PRIVATE_ZONES).replace(/,/g, ", ")}, ${JSON.stringify(PRIVATE_ZONES).replace(/,/g, ", ")}, ${offeredZoneIds})) >= 1)}`, error_message: expect.stringMatching(/^None of the zones use1-az1, use1-az2, use1-az4 offers com\.amazonaws\.us-east-1\.execute-api in this account/) }] },
    });
    expect(dataSourceAt(json, "aws_vpc_endpoint_service", "network/execute-api-service")).toMatchObject({
      service_name: "com.amazonaws.us-east-1.execute-api",
      service_type: "Interface",
      provider: "aws.us-east-1",
    });
    expect(dataSourceAt(json, "aws_availability_zones", "network/availability-zones")).toMatchObject({ state: "available", provider: "aws.us-east-1" });
    expect(resourceAt(json, "aws_vpc_security_group_ingress_rule", "network/endpoint-https-from-vpc")).toMatchObject({
      from_port: 443,
      to_port: 443,
      cidr_ipv4: "10.10.0.0/16",
      security_group_id: referenceTo(json, "aws_security_group", "network/endpoint-security-group", "id"),
    });
  });

  test("private DNS on the endpoint can be turned off", () => {
    const json = synthNetwork({ enableEndpointPrivateDns: false });
    expect(resourceAt(json, "aws_vpc_endpoint", "network/execute-api-endpoint").private_dns_enabled).toBe(false);
  });

  test("flow logs capture all traffic of the VPC into a KMS-encrypted log group with retention", () => {
    expect(resourceAt(json, "aws_cloudwatch_log_group", "network/flow-log-group")).toMatchObject({
      name: "/aws/vpc/flow-logs/tap-dev-us-east-1-vpc",
      kms_key_id: KEY_ARN,
      retention_in_days: 365,
    });
    expect(resourceAt(json, "aws_flow_log", "network/flow-log")).toMatchObject({
      vpc_id: referenceTo(json, "aws_vpc", "network/vpc", "id"),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: referenceTo(json, "aws_cloudwatch_log_group", "network/flow-log-group", "arn"),
      iam_role_arn: ROLE_ARN,
    });
  });

  test("the network asks the key and the role for exactly its flow-log group, and the flow log waits for the role's grant", () => {
    grants.key.length = 0;
    grants.role.length = 0;
    const json = synthNetwork();
    expect(grants.key).toEqual(["/aws/vpc/flow-logs/tap-dev-us-east-1-vpc"]);
    expect(grants.role).toEqual([["us-east-1", "/aws/vpc/flow-logs/tap-dev-us-east-1-vpc"]]);
    // Created before its role may write, a flow log fails its first deliveries.
    expect(resourceAt(json, "aws_flow_log", "network/flow-log").depends_on).toEqual(["aws_iam_role_policy.flow-logs-policy"]);
  });

  test("every resource is bound to the region's aliased provider", () => {
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        expect({ resource: `${type}.${name}`, provider: body.provider }).toEqual({ resource: `${type}.${name}`, provider: "aws.us-east-1" });
      }
    }
  });

  test("a region with two offered zones (us-west-1) gets two zones by default", () => {
    const json = synthConstruct("us-west-1", (scope, provider) =>
      new RegionalNetwork(scope, "network", { ...baseProps, naming: { ...baseProps.naming, region: "us-west-1" }, provider }),
    );
    expect(resourcesOf(json, "aws_subnet").map(([, s]) => s.availability_zone_id).sort()).toEqual([
      "usw1-az1",
      "usw1-az1",
      "usw1-az3",
      "usw1-az3",
    ]);
  });

  test("the default network ACL admits everything but SSH and RDP from anywhere, SSH from the VPC and the named sources, ICMP fragmentation-needed, and ignores subnet associations", () => {
    const acl = resourceAt(json, "aws_default_network_acl", "network/default-network-acl");
    expect(acl.default_network_acl_id).toBe(referenceTo(json, "aws_vpc", "network/vpc", "default_network_acl_id"));
    const row = (e: any) => [e.rule_no, e.protocol, e.cidr_block, e.from_port, e.to_port, e.icmp_type ?? null];
    expect(acl.ingress.map(row)).toEqual([
      [100, "-1", "10.10.0.0/16", 0, 0, null],
      [200, "6", "0.0.0.0/0", 0, 21, null],
      [210, "6", "0.0.0.0/0", 23, 3388, null],
      [220, "6", "0.0.0.0/0", 3390, 65535, null],
      [230, "17", "0.0.0.0/0", 0, 21, null],
      [240, "17", "0.0.0.0/0", 23, 3388, null],
      [250, "17", "0.0.0.0/0", 3390, 65535, null],
      [260, "1", "0.0.0.0/0", 0, 0, 3],
    ]);
    expect(acl.ingress.every((e: any) => e.action === "allow")).toBe(true);
    expect(acl.ingress.find((e: any) => e.rule_no === 260)).toMatchObject({ icmp_type: 3, icmp_code: 4 });
    expect(acl.egress.map(row)).toEqual([[100, "-1", "0.0.0.0/0", 0, 0, null]]);
    expect(acl.lifecycle).toEqual({ ignore_changes: ["subnet_ids"] });
    const withSources = resourceAt(synthNetwork({ allowedSshCidrs: ["192.0.2.0/24", "10.10.0.0/16", "198.51.100.7/32"] }), "aws_default_network_acl", "network/default-network-acl");
    expect(withSources.ingress.filter((e: any) => e.rule_no > 100 && e.rule_no < 200).map(row)).toEqual([
      [110, "6", "192.0.2.0/24", 22, 22, null],
      [111, "6", "198.51.100.7/32", 22, 22, null],
    ]);
  });

  test.each([
    [{ allowedSshCidrs: Array.from({ length: 13 }, (_, i) => `192.0.2.${i * 16}/28`) }, /'allowedSshCidrs' may list at most 12 sources \(each is a default network ACL entry; AWS allows 20 per direction\)\. Received: 13/],
    [{ vpcCidr: "10.10.0.1/16" }, /'vpcCidr' has host bits set.*Received: 10\.10\.0\.1\/16/],
    [{ vpcCidr: "10.0.0.0/8" }, /'vpcCidr' prefix must be \/16 to \/24\. Received: 10\.0\.0\.0\/8/],
    [{ availabilityZoneIds: ["use1-az1"] }, /'availabilityZoneIds' needs 2 to 4 zones\. Received: \[use1-az1\]/],
    [{ allowedSshCidrs: ["0.0.0.0/0"] }, /'allowedSshCidrs' must not be this wide: "0\.0\.0\.0\/0" opens SSH to the whole internet\. Received: \[0\.0\.0\.0\/0\]/],
    [{ allowedSshCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }, /'allowedSshCidrs' must not be this wide: "0\.0\.0\.0\/1" opens SSH to more than a \/8/],
    [{ naming: { project: "sg", environment: "dev", region: REGION } }, /the security group name "sg-dev-us-east-1-workload" is invalid \(EC2 refuses security group names that start with "sg-"\)/],
    [{ flowLogRetentionDays: 366 }, /'flowLogRetentionDays' must be one of .*Received: 366/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(buildNetwork(props)).toThrow(message);
  });

  test("accepts the boundary values", () => {
    expect(buildNetwork({ vpcCidr: "10.0.0.0/24", availabilityZoneIds: ["use1-az1", "use1-az2"] })).not.toThrow();
    expect(buildNetwork({ vpcCidr: "172.16.0.0/16", flowLogRetentionDays: 3653 })).not.toThrow();
  });
});
