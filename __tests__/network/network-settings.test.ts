/** The network's settings (src/network/network-settings.ts): regions, VPC CIDRs, SSH and HTTPS sources. */
import { problemsOf, stackOf } from "../settings-fixtures";

describe("loadConfig: defaults and variables", () => {
  test("default VPC CIDRs never overlap across all 17 supported regions", () => {
    const all = "us-east-1,us-east-2,us-west-1,us-west-2,ca-central-1,sa-east-1,eu-central-1,eu-west-1,eu-west-2,eu-west-3,eu-north-1,ap-south-1,ap-northeast-1,ap-northeast-2,ap-northeast-3,ap-southeast-1,ap-southeast-2";
    expect(new Set(stackOf({ TAP_REGIONS: all, ENVIRONMENT_SUFFIX: "staging" }).regions.map((r) => r.vpcCidr)).size).toBe(17);
  });

  test('"none" removes SSH access entirely', () => {
    expect(stackOf({ TAP_ALLOWED_SSH_CIDRS: "none" }).allowedSshCidrs).toEqual([]);
  });

  test("more SSH sources than the default network ACL has entries for are refused", () => {
    const sources = Array.from({ length: 13 }, (_, i) => `192.0.2.${i * 16}/28`).join(",");
    expect(problemsOf({ TAP_ALLOWED_SSH_CIDRS: sources })).toEqual([
      `TAP_ALLOWED_SSH_CIDRS: ${JSON.stringify(sources.split(","))} has 13 entries; at most 12 are allowed (each is an entry of the default network ACL, and AWS allows 20 per direction)`,
    ]);
  });

  test("SSH sources that are private, or at most one /8 of public space, are accepted", () => {
    expect(stackOf({ TAP_ALLOWED_SSH_CIDRS: "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,1.0.0.0/8" }).allowedSshCidrs).toHaveLength(4);
  });
});

describe("loadConfig: refused values name the setting, the value and what is allowed", () => {
  test("a mistyped region does not also report a CIDR count mismatch", () => {
    expect(problemsOf({ TAP_REGIONS: "us-east-1,eu-wset-1", TAP_VPC_CIDRS: "10.0.0.0/16,10.1.0.0/16" })).toEqual([
      expect.stringMatching(/^TAP_REGIONS: "eu-wset-1" is not a supported region; did you mean "eu-west-1"\?/),
    ]);
  });
});
