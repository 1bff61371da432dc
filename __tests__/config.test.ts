import { ConfigError, loadConfig, DEFAULT_REGIONS } from "../src/config/config";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig", () => {
  test("an empty environment gives the documented defaults", () => {
    expect(loadConfig({})).toEqual({
      project: "tap",
      environment: "dev",
      regions: [
        { region: "us-east-1", vpcCidr: "10.10.0.0/16" },
        { region: "us-west-2", vpcCidr: "10.13.0.0/16" },
        { region: "eu-central-1", vpcCidr: "10.20.0.0/16" },
      ],
      availabilityZoneCount: 3,
      allowedSshCidrs: undefined,
      allowedHttpsCidrs: undefined,
      logRetentionDays: 365,
      passwordReusePrevention: 5,
      endpointPrivateDns: true,
      tags: {},
      state: { bucket: "tap-terraform-state-dev", key: "tap/dev/terraform.tfstate", region: "us-east-1" },
    });
    expect(DEFAULT_REGIONS).toEqual(["us-east-1", "us-west-2", "eu-central-1"]);
  });

  test("every variable is read", () => {
    const config = loadConfig({
      TAP_PROJECT: "acme",
      ENVIRONMENT_SUFFIX: "prod",
      TAP_REGIONS: "eu-west-1, ap-northeast-1",
      TAP_VPC_CIDRS: "10.100.0.0/16,10.101.0.0/20",
      TAP_AZ_COUNT: "2",
      TAP_ALLOWED_SSH_CIDRS: "192.0.2.0/24",
      TAP_ALLOWED_HTTPS_CIDRS: "0.0.0.0/0",
      TAP_LOG_RETENTION_DAYS: "731",
      TAP_PASSWORD_REUSE_PREVENTION: "24",
      TAP_ENDPOINT_PRIVATE_DNS: "false",
      TAP_TAGS: '{"CostCenter":"1234","Owner":"platform"}',
      TERRAFORM_STATE_BUCKET: "acme-state",
      TERRAFORM_STATE_BUCKET_REGION: "eu-west-1",
      TERRAFORM_STATE_BUCKET_KEY: "acme/prod.tfstate",
    });
    expect(config).toEqual({
      project: "acme",
      environment: "prod",
      regions: [
        { region: "eu-west-1", vpcCidr: "10.100.0.0/16" },
        { region: "ap-northeast-1", vpcCidr: "10.101.0.0/20" },
      ],
      availabilityZoneCount: 2,
      allowedSshCidrs: ["192.0.2.0/24"],
      allowedHttpsCidrs: ["0.0.0.0/0"],
      logRetentionDays: 731,
      passwordReusePrevention: 24,
      endpointPrivateDns: false,
      tags: { CostCenter: "1234", Owner: "platform" },
      state: { bucket: "acme-state", key: "acme/prod.tfstate", region: "eu-west-1" },
    });
  });

  test("default VPC CIDRs never overlap across all 17 supported regions", () => {
    const all = "us-east-1,us-east-2,us-west-1,us-west-2,ca-central-1,sa-east-1,eu-central-1,eu-west-1,eu-west-2,eu-west-3,eu-north-1,ap-south-1,ap-northeast-1,ap-northeast-2,ap-northeast-3,ap-southeast-1,ap-southeast-2";
    const config = loadConfig({ TAP_REGIONS: all, ENVIRONMENT_SUFFIX: "staging" });
    expect(new Set(config.regions.map((r) => r.vpcCidr)).size).toBe(17);
  });

  test("\"none\" removes SSH access entirely", () => {
    expect(loadConfig({ TAP_ALLOWED_SSH_CIDRS: "none" }).allowedSshCidrs).toEqual([]);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ["an unknown region", { TAP_REGIONS: "us-east-1,mars-1" }, /^TAP_REGIONS: "mars-1" is not a supported region; expected one of us-east-1, .*ap-southeast-2$/],
    ["a duplicate region", { TAP_REGIONS: "us-east-1,us-east-1" }, /^TAP_REGIONS: "us-east-1" is listed more than once/],
    ["an empty region list", { TAP_REGIONS: "," }, /^TAP_REGIONS: "," has an empty entry; expected a comma-separated list of regions$/],
    ["a malformed CIDR", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0/16" }, /^TAP_VPC_CIDRS: "10.0.0\/16" is not an IPv4 CIDR/],
    ["an octet above 255", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.300.0.0/16" }, /^TAP_VPC_CIDRS: "10.300.0.0\/16" has an octet above 255$/],
    ["host bits in a CIDR", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0.1/16" }, /^TAP_VPC_CIDRS: "10.0.0.1\/16" has host bits set \(the network address is 10.0.0.0\/16\)$/],
    ["a VPC prefix AWS or the subnet layout cannot take", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0.0/8" }, /^TAP_VPC_CIDRS: "10.0.0.0\/8" has prefix \/8; expected a prefix from \/16 to \/24$/],
    ["overlapping CIDRs", { TAP_REGIONS: "us-east-1,us-west-2", TAP_VPC_CIDRS: "10.0.0.0/16,10.0.128.0/17" }, /^TAP_VPC_CIDRS: "10.0.128.0\/17" overlaps "10.0.0.0\/16"/],
    ["a CIDR count that does not match the regions", { TAP_VPC_CIDRS: "10.0.0.0/16" }, /^TAP_VPC_CIDRS: "10.0.0.0\/16" has 1 CIDR\(s\) but TAP_REGIONS has 3 region\(s\)/],
    ["world-open SSH over IPv4", { TAP_ALLOWED_SSH_CIDRS: "10.0.0.0/8,0.0.0.0/0" }, /^TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/0" opens SSH to the whole internet/],
    ["world-open SSH over IPv6", { TAP_ALLOWED_SSH_CIDRS: "::/0" }, /^TAP_ALLOWED_SSH_CIDRS: "::\/0" opens SSH to the whole internet/],
    ["a malformed SSH source", { TAP_ALLOWED_SSH_CIDRS: "bastion" }, /^TAP_ALLOWED_SSH_CIDRS: "bastion" is not an IPv4 CIDR/],
    ["a malformed HTTPS source", { TAP_ALLOWED_HTTPS_CIDRS: "10.0.0.0/33" }, /^TAP_ALLOWED_HTTPS_CIDRS: "10.0.0.0\/33" has a prefix length above 32/],
    ["a retention CloudWatch does not accept", { TAP_LOG_RETENTION_DAYS: "366" }, /^TAP_LOG_RETENTION_DAYS: "366" is not a retention CloudWatch Logs accepts; expected one of 0, 1, 3, .*, 3653/],
    ["a non-numeric retention", { TAP_LOG_RETENTION_DAYS: "a year" }, /^TAP_LOG_RETENTION_DAYS: "a year" is not a retention/],
    ["an environment with capitals", { ENVIRONMENT_SUFFIX: "Prod" }, /^ENVIRONMENT_SUFFIX: "Prod" is not allowed; expected lowercase letters, digits and single hyphens/],
    ["an environment with an underscore", { ENVIRONMENT_SUFFIX: "my_env" }, /^ENVIRONMENT_SUFFIX: "my_env" is not allowed/],
    ["an environment too long for a bucket name", { ENVIRONMENT_SUFFIX: "a".repeat(30) }, /^ENVIRONMENT_SUFFIX: "a{30}" makes the eu-central-1 data bucket name invalid \(65 characters; S3 allows 3 to 63\)/],
    ["tags that are not JSON", { TAP_TAGS: "Owner=me" }, /^TAP_TAGS: "Owner=me" is not valid JSON; expected a JSON object of strings/],
    ["tags that are a JSON array", { TAP_TAGS: '["a"]' }, /^TAP_TAGS: .* is not a JSON object/],
    ["a tag value that is not a string", { TAP_TAGS: '{"CostCenter":1234}' }, /^TAP_TAGS: the value of "CostCenter" is 1234; expected a string$/],
    ["a reserved tag key", { TAP_TAGS: '{"Environment":"x"}' }, /^TAP_TAGS: "Environment" is set by tap itself/],
    ["an aws: tag key", { TAP_TAGS: '{"aws:foo":"x"}' }, /^TAP_TAGS: key "aws:foo" is not allowed/],
    ["reuse prevention 0", { TAP_PASSWORD_REUSE_PREVENTION: "0" }, /^TAP_PASSWORD_REUSE_PREVENTION: "0" is not allowed; expected a whole number from 1 to 24$/],
    ["reuse prevention 25", { TAP_PASSWORD_REUSE_PREVENTION: "25" }, /^TAP_PASSWORD_REUSE_PREVENTION: "25" is not allowed/],
    ["an AZ count of 1", { TAP_AZ_COUNT: "1" }, /^TAP_AZ_COUNT: "1" is not allowed; expected a whole number from 2 to 3$/],
    ["a private-DNS flag that is not a boolean", { TAP_ENDPOINT_PRIVATE_DNS: "yes" }, /^TAP_ENDPOINT_PRIVATE_DNS: "yes" is not allowed; expected true or false$/],
    ["an invalid project name", { TAP_PROJECT: "My Project" }, /^TAP_PROJECT: "My Project" is not allowed/],
    ["an invalid state bucket", { TERRAFORM_STATE_BUCKET: "State_Bucket" }, /^TERRAFORM_STATE_BUCKET: "State_Bucket" is not a valid S3 bucket name/],
    ["an unknown state bucket region", { TERRAFORM_STATE_BUCKET_REGION: "moon-1" }, /^TERRAFORM_STATE_BUCKET_REGION: "moon-1" is not a supported region/],
    ["a state key with a leading slash", { TERRAFORM_STATE_BUCKET_KEY: "/state" }, /^TERRAFORM_STATE_BUCKET_KEY: "\/state" is not allowed/],
  ])("refuses %s with one line naming the variable, the value and what is allowed", (_, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test("reports every problem at once", () => {
    const problems = problemsOf({ TAP_REGIONS: "mars-1", TAP_LOG_RETENTION_DAYS: "2", TAP_TAGS: "[]" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["TAP_REGIONS", "TAP_LOG_RETENTION_DAYS", "TAP_TAGS"]);
  });

  test.each<[Record<string, string>]>([
    [{ TAP_VPC_CIDRS: "10.0.0.0/16,10.1.0.0/16,10.2.0.0/24" }],
    [{ TAP_LOG_RETENTION_DAYS: "0" }],
    [{ TAP_LOG_RETENTION_DAYS: "3653" }],
    [{ TAP_PASSWORD_REUSE_PREVENTION: "1" }],
    [{ TAP_PASSWORD_REUSE_PREVENTION: "24" }],
    [{ ENVIRONMENT_SUFFIX: "a".repeat(26), TAP_REGIONS: "ap-southeast-2" }],
    [{ TAP_TAGS: "{}" }],
  ])("accepts the boundary value %j", (env) => {
    expect(() => loadConfig(env)).not.toThrow();
  });
});
