/** The loader (src/config/load.ts): layers, the file, variables, defaults, and the messages every refused value gets. Each concern's own settings are tested beside it (__tests__/<concern>/*-settings.test.ts). */
import { mkdirSync, rmSync } from "fs";
import { join } from "path";
import { DEFAULTS, DEFAULT_REUSE_ACCEPTANCE } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import { SINGLETON_KEYS } from "../../src/aws/singletons";
import { duplicateKeys } from "../../src/settings/json-text";
import { STACK_ENV } from "../../src/config/settings";
import { configSchemaText } from "../../scripts/write-config-schema";
import { folderWithConfig, load, problemsOf, stackOf } from "../settings-fixtures";

describe("loadConfig: defaults and variables", () => {
  test("an empty environment gives the documented defaults: one stack, ambient credentials", () => {
    const config = load({});
    expect(config.stacks).toHaveLength(1);
    // The one thing the defaults cannot know: whom AWS should write to about security.
    expect(config.warnings).toEqual([expect.stringMatching(/^TAP_SECURITY_CONTACT: is not set: /)]);
    expect(config.stacks[0]).toEqual({
      stackName: "tap",
      project: "tap",
      environment: "dev",
      account: undefined,
      regions: [
        { region: "us-east-1", vpcCidr: "10.10.0.0/16" },
        { region: "us-west-2", vpcCidr: "10.13.0.0/16" },
        { region: "eu-central-1", vpcCidr: "10.20.0.0/16" },
      ],
      homeRegion: { region: "us-east-1", reason: "the first of regions; set homeRegion to keep it when regions are reordered" },
      ownerRegions: undefined,
      retiringRegions: [],
      availabilityZoneCount: 3,
      allowedSshCidrs: undefined,
      allowedHttpsCidrs: undefined,
      logRetentionDays: 365,
      findingsSeverity: "HIGH",
      passwordReusePrevention: 5,
      endpointPrivateDns: true,
      tags: {},
      acceptedRisks: [
        { ruleId: "IAM.PasswordReusePrevention", reason: DEFAULT_REUSE_ACCEPTANCE, source: "tap (product default)" },
        { ruleId: "Account.SecurityContact", reason: "no securityContact is configured: AWS writes about security to the root e-mail address only", source: "tap (no TAP_SECURITY_CONTACT)" },
      ],
      manageAccountSettings: true,
      singletons: Object.fromEntries(SINGLETON_KEYS.map((key) => [key, "create"])),
      adoptNames: {},
      protectData: { enabled: false, reason: expect.stringContaining('environment "dev" does not start with "prod"') },
      replication: true,
      guardrails: {
        guardDuty: true,
        guardDutyProtection: ["s3", "eks-audit-logs", "malware-ec2", "rds", "lambda", "runtime-eks", "runtime-ecs", "runtime-ec2"],
        securityHub: true,
        securityHubStandards: ["fsbp", "cis-v5"],
        awsConfig: true,
        configRecording: { frequency: undefined, excludedResourceTypes: [] },
        defaultVpcLockdown: true,
        alarmEmail: undefined,
        securityContact: undefined,
      },
      backend: { type: "s3", bucket: undefined, key: "tap/dev/terraform.tfstate", region: "us-east-1", kmsKeyId: undefined },
      accountId: undefined,
      // Every supported region is guarded: the workload regions here, the others in stacks of three.
      guardrailRegions: [
        ...["us-east-1", "us-west-2", "eu-central-1", "us-east-2", "us-west-1", "ca-central-1", "sa-east-1", "eu-west-1", "eu-west-2"],
        ...["eu-west-3", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2"],
      ],
      regionStacks: [
        ["tap-guardrails-1", ["us-east-2", "us-west-1"]],
        ["tap-guardrails-2", ["ca-central-1", "sa-east-1"]],
        ["tap-guardrails-3", ["eu-west-1", "eu-west-2"]],
        ["tap-guardrails-4", ["eu-west-3", "eu-north-1", "ap-south-1"]],
        ["tap-guardrails-5", ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3"]],
        ["tap-guardrails-6", ["ap-southeast-1", "ap-southeast-2"]],
      ].map(([stackName, regions], index) => ({
        stackName,
        regions,
        backend: { type: "s3", bucket: undefined, key: `tap/dev/guardrails-${index + 1}/terraform.tfstate`, region: "us-east-1", kmsKeyId: undefined },
      })),
    });
    expect(DEFAULTS.regions).toEqual(["us-east-1", "us-west-2", "eu-central-1"]);
  });

  test("every variable is read", () => {
    const stack = stackOf({
      TAP_PROJECT: "acme",
      ENVIRONMENT_SUFFIX: "prod",
      TAP_REGIONS: "eu-west-1, ap-northeast-1",
      TAP_RETIRING_REGIONS: "us-east-1",
      TAP_VPC_CIDRS: "10.100.0.0/16,10.101.0.0/20",
      TAP_AZ_COUNT: "2",
      TAP_ALLOWED_SSH_CIDRS: "192.0.2.0/24",
      TAP_ALLOWED_HTTPS_CIDRS: "0.0.0.0/0",
      TAP_LOG_RETENTION_DAYS: "731",
      TAP_PASSWORD_REUSE_PREVENTION: "24",
      TAP_ENDPOINT_PRIVATE_DNS: "false",
      TAP_TAGS: '{"CostCenter":"1234","Owner":"platform"}',
      TAP_ACCEPT_RISKS: "EC2.Descriptions=descriptions are managed in the CMDB; VPC.FlowLogs=flow logs go to the SIEM; S3.CrossRegionReplication=backups go to the vault account",
      TAP_ACCOUNT_SETTINGS: "skip",
      TAP_OWNER_REGIONS: "eu-west-1,ap-northeast-1,us-west-2",
      TAP_HOME_REGION: "ap-northeast-1",
      TAP_PROTECT_DATA: "false",
      TAP_REPLICATION: "false",
      TAP_GUARDDUTY: "false",
      TAP_SECURITY_HUB: "false",
      TAP_AWS_CONFIG: "false",
      TERRAFORM_STATE_BUCKET: "acme-state",
      TERRAFORM_STATE_BUCKET_REGION: "eu-west-1",
      TERRAFORM_STATE_BUCKET_KEY: "acme/prod.tfstate",
    });
    expect(stack).toMatchObject({
      project: "acme",
      environment: "prod",
      regions: [
        { region: "eu-west-1", vpcCidr: "10.100.0.0/16" },
        { region: "ap-northeast-1", vpcCidr: "10.101.0.0/20" },
      ],
      retiringRegions: ["us-east-1"],
      homeRegion: { region: "ap-northeast-1", reason: "set by TAP_HOME_REGION" },
      ownerRegions: ["eu-west-1", "ap-northeast-1", "us-west-2"],
      availabilityZoneCount: 2,
      allowedSshCidrs: ["192.0.2.0/24"],
      allowedHttpsCidrs: ["0.0.0.0/0"],
      logRetentionDays: 731,
      passwordReusePrevention: 24,
      endpointPrivateDns: false,
      tags: { CostCenter: "1234", Owner: "platform" },
      acceptedRisks: expect.arrayContaining([
        { ruleId: "EC2.Descriptions", reason: "descriptions are managed in the CMDB", source: "TAP_ACCEPT_RISKS" },
        { ruleId: "VPC.FlowLogs", reason: "flow logs go to the SIEM", source: "TAP_ACCEPT_RISKS" },
        { ruleId: "S3.CrossRegionReplication", reason: "backups go to the vault account", source: "TAP_ACCEPT_RISKS" },
      ]),
      manageAccountSettings: false,
      protectData: { enabled: false, reason: "set by TAP_PROTECT_DATA" },
      replication: false,
      guardrails: { guardDuty: false, securityHub: false, awsConfig: false },
      backend: { type: "s3", bucket: "acme-state", key: "acme/prod.tfstate", region: "eu-west-1" },
    });
  });





  test("a single region has no replication, and the product says so as an accepted risk of its own", () => {
    const stack = stackOf({ TAP_REGIONS: "eu-west-1" });
    expect(stack.replication).toBe(false);
    expect(stack.acceptedRisks).toContainEqual({ ruleId: "S3.CrossRegionReplication", reason: expect.stringContaining("single-region deployment has no second region"), source: "tap (single region)" });
    expect(stackOf({}).acceptedRisks.map((risk) => risk.ruleId)).not.toContain("S3.CrossRegionReplication");
  });












  test("a setting's variable that is set but empty is refused, not read as unset (a missing pipeline secret looks like this)", () => {
    expect(problemsOf({ ENVIRONMENT_SUFFIX: "", TAP_REGIONS: "  " })).toEqual([
      "ENVIRONMENT_SUFFIX: is set but empty; unset it, or give it a value",
      "TAP_REGIONS: is set but empty; unset it, or give it a value",
    ]);
    // Tool variables keep meaning "unset" when empty; unknown variables are not tap's business.
    expect(load({ TAP_SKIP_TERRAFORM_TESTS: "", OTHER: "" }).stacks[0].environment).toBe("dev");
  });

  test("tap's tool variables are known, not refused", () => {
    expect(() => load({ TAP_TERRAFORM_PROVIDER_MIRROR: "/opt/x", TAP_SKIP_TERRAFORM_TESTS: "1", TAP_CHECKOV: "checkov", TAP_MOTO_SERVER: "moto" })).not.toThrow();
  });
});

describe("loadConfig: refused values name the setting, the value and what is allowed", () => {
  test.each<[string, Record<string, string>, RegExp]>([
    ["an unknown region", { TAP_REGIONS: "us-east-1,mars-1" }, /^TAP_REGIONS: "mars-1" is not a supported region; expected one of us-east-1, .*ap-southeast-2$/],
    ["a mistyped region, with the closest one", { TAP_REGIONS: "eu-wset-1" }, /^TAP_REGIONS: "eu-wset-1" is not a supported region; did you mean "eu-west-1"\? expected one of /],
    ["a duplicate region", { TAP_REGIONS: "us-east-1,us-east-1" }, /^TAP_REGIONS: "us-east-1" is listed more than once/],
    ["an empty region list", { TAP_REGIONS: "," }, /^TAP_REGIONS: "," has an empty entry; expected a list of /],
    ["regions separated by spaces", { TAP_REGIONS: "us-east-1 eu-west-1" }, /^TAP_REGIONS: "us-east-1 eu-west-1" separates entries with spaces or semicolons; use commas, for example "us-east-1,eu-west-1"$/],
    ["regions separated by semicolons", { TAP_REGIONS: "us-east-1;eu-west-1" }, /use commas, for example "us-east-1,eu-west-1"$/],
    ["a region both deployed and retiring", { TAP_REGIONS: "us-east-1,us-west-2", TAP_RETIRING_REGIONS: "us-west-2" }, /^TAP_RETIRING_REGIONS: "us-west-2" is also in TAP_REGIONS; a region is either deployed or retiring$/],
    ["a malformed CIDR", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0/16" }, /^TAP_VPC_CIDRS: "10.0.0\/16" is not allowed; expected an IPv4 CIDR \(a\.b\.c\.d\/n\)$/],
    ["an octet above 255", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.300.0.0/16" }, /^TAP_VPC_CIDRS: "10.300.0.0\/16" has an octet above 255$/],
    ["host bits in a CIDR", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0.1/16" }, /^TAP_VPC_CIDRS: "10.0.0.1\/16" has host bits set \(the network address is 10.0.0.0\/16\)$/],
    ["a VPC prefix the subnet layout cannot take", { TAP_REGIONS: "us-east-1", TAP_VPC_CIDRS: "10.0.0.0/8" }, /^TAP_VPC_CIDRS: "10.0.0.0\/8" has prefix \/8; expected a prefix from \/16 to \/24$/],
    ["overlapping CIDRs", { TAP_REGIONS: "us-east-1,us-west-2", TAP_VPC_CIDRS: "10.0.0.0/16,10.0.128.0/17" }, /^TAP_VPC_CIDRS: "10.0.128.0\/17" \(us-west-2\) overlaps "10.0.0.0\/16" \(us-east-1\)/],
    ["a CIDR count that does not match the regions", { TAP_VPC_CIDRS: "10.0.0.0/16" }, /^TAP_VPC_CIDRS: "10.0.0.0\/16" has 1 CIDR\(s\) but TAP_REGIONS has 3 region\(s\)/],
    ["world-open SSH over IPv4", { TAP_ALLOWED_SSH_CIDRS: "10.0.0.0/8,0.0.0.0/0" }, /^TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/0" opens SSH to the whole internet; expected specific IPv4 CIDRs/],
    ["world-open SSH over IPv6", { TAP_ALLOWED_SSH_CIDRS: "::/0" }, /^TAP_ALLOWED_SSH_CIDRS: "::\/0" opens SSH to the whole internet; expected specific IPv4 CIDRs/],
    ["world-open SSH in the file's list form", { TAP_ALLOWED_SSH_CIDRS: "192.0.2.0/24,0.0.0.0/0" }, /^TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/0" opens SSH to the whole internet/],
    ["world-open SSH split into halves", { TAP_ALLOWED_SSH_CIDRS: "0.0.0.0/1,128.0.0.0/1" }, /^TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/1" opens SSH to more than a \/8; expected/],
    ["SSH over two public /8s", { TAP_ALLOWED_SSH_CIDRS: "1.0.0.0/8,2.0.0.0/8" }, /^TAP_ALLOWED_SSH_CIDRS: "1.0.0.0\/8,2.0.0.0\/8" together open SSH to 33,554,432 public addresses, more than a \/8 \(16,777,216\)/],
    ["a malformed SSH source", { TAP_ALLOWED_SSH_CIDRS: "bastion" }, /^TAP_ALLOWED_SSH_CIDRS: "bastion" is not allowed; expected an IPv4 CIDR/],
    ["a malformed HTTPS source", { TAP_ALLOWED_HTTPS_CIDRS: "10.0.0.0/33" }, /^TAP_ALLOWED_HTTPS_CIDRS: "10.0.0.0\/33" has a prefix length above 32$/],
    ["an AZ count written with a sign", { TAP_AZ_COUNT: "+2" }, /^TAP_AZ_COUNT: "\+2" is not a whole number written in decimal digits/],
    ["an environment with capitals", { ENVIRONMENT_SUFFIX: "Prod" }, /^ENVIRONMENT_SUFFIX: "Prod" is not allowed; expected lowercase letters, digits and single hyphens/],
    ["an environment with an underscore", { ENVIRONMENT_SUFFIX: "my_env" }, /^ENVIRONMENT_SUFFIX: "my_env" is not allowed/],
    ["an environment too long for a bucket name", { ENVIRONMENT_SUFFIX: "a".repeat(30) }, /^ENVIRONMENT_SUFFIX: "a{30}" makes the S3 bucket name "tap-a{30}-eu-central-1-data-123456789012" invalid \(65 characters; S3 allows 3 to 63\); choose a shorter or different name$/],
    ["a project that makes security group names start with sg-", { TAP_PROJECT: "sg" }, /^TAP_PROJECT: "sg" makes the security group name "sg-dev-us-east-1-workload" invalid \(EC2 refuses security group names that start with "sg-"\)/],
    ["tags that are not JSON", { TAP_TAGS: "Owner=me" }, /^TAP_TAGS: "Owner=me" is not valid JSON; expected a JSON object, for example \{"CostCenter":"1234"\}$/],
    ["tags that are a JSON array", { TAP_TAGS: '["a"]' }, /^TAP_TAGS: \["a"\] is not an object/],
    ["a tag value that is not a string", { TAP_TAGS: '{"CostCenter":1234}' }, /^TAP_TAGS\["CostCenter"\]: 1234 is not a string/],
    ["a tag value with characters IAM refuses", { TAP_TAGS: '{"Owner":"team#1, ops (on-call)"}' }, /^TAP_TAGS\["Owner"\]: "team#1, ops \(on-call\)" is not a valid tag value: AWS allows only letters, digits, spaces and _ \. : \/ = \+ - @/],
    ["a tag value with an emoji", { TAP_TAGS: '{"Mood":"🚀"}' }, /^TAP_TAGS\["Mood"\]: "🚀" is not a valid tag value/],
    ["a tag key with characters IAM refuses", { TAP_TAGS: '{"cost*center":"1"}' }, /^TAP_TAGS: "cost\*center" is not a valid tag key/],
    ["a reserved tag key", { TAP_TAGS: '{"Environment":"x"}' }, /^TAP_TAGS: "Environment" is set by tap itself/],
    ["a reserved tag key in other case (IAM tag keys are case-insensitive)", { TAP_TAGS: '{"environment":"x"}' }, /^TAP_TAGS: "environment" is tap's own "Environment" in other case: IAM treats tag keys case-insensitively and refuses both on one role \("Duplicate tag keys found"\); use keys other than Environment, Project, ManagedBy, Name$/],
    ["two tag keys that differ only by case", { TAP_TAGS: '{"Team":"a","team":"b"}' }, /^TAP_TAGS: "team" and "Team" differ only by case: IAM treats tag keys case-insensitively and refuses both on one role \("Duplicate tag keys found"\); keep one$/],
    ["an aws: tag key", { TAP_TAGS: '{"aws:foo":"x"}' }, /^TAP_TAGS: "aws:foo" is not a valid tag key: the prefix "aws:" is reserved by AWS$/],
    ["more user tags than fit beside tap's own", { TAP_TAGS: JSON.stringify(Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`K${i}`, "v"]))) }, /^TAP_TAGS: .* has 47 entries; at most 46 are allowed$/],
    ["reuse prevention 0", { TAP_PASSWORD_REUSE_PREVENTION: "0" }, /^TAP_PASSWORD_REUSE_PREVENTION: 0 is not allowed; expected a whole number from 1 to 24$/],
    ["reuse prevention 25", { TAP_PASSWORD_REUSE_PREVENTION: "25" }, /^TAP_PASSWORD_REUSE_PREVENTION: 25 is not allowed/],
    ["reuse prevention below 24 without an accepted risk", { TAP_PASSWORD_REUSE_PREVENTION: "10" }, /^TAP_PASSWORD_REUSE_PREVENTION: 10 is below the 24 that CIS 1.9 \(rule IAM.PasswordReusePrevention\) requires; change it, or accept/],
    ["an AZ count of 1", { TAP_AZ_COUNT: "1" }, /^TAP_AZ_COUNT: 1 is not allowed; expected a whole number from 2 to 3$/],
    ["a private-DNS flag that is not a boolean", { TAP_ENDPOINT_PRIVATE_DNS: "yes" }, /^TAP_ENDPOINT_PRIVATE_DNS: "yes" is not allowed; expected true or false$/],
    ["accountSettings skip without the owner's regions", { TAP_ACCOUNT_SETTINGS: "skip" }, /^TAP_ACCOUNT_SETTINGS: is skip, so TAP_OWNER_REGIONS must name the regions the deployment that owns the account's settings covers \(its API Gateway logging role, EBS default encryption, GuardDuty and AWS Config are per region\)$/],
    ["a region the owner does not cover", { TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2" }, /^TAP_REGIONS: "eu-central-1" is not covered by the deployment that owns the account's settings \(TAP_OWNER_REGIONS: us-east-1, us-west-2\): it would have no API Gateway logging role, EBS default encryption, GuardDuty or AWS Config there; deploy the owner there too and add it to TAP_OWNER_REGIONS, or leave the region out$/],
    ["the owner's regions given to the owner itself", { TAP_OWNER_REGIONS: "us-east-1" }, /^TAP_OWNER_REGIONS: is only for a deployment with TAP_ACCOUNT_SETTINGS skip; this one owns the account's settings, in its own regions$/],
    ["an account-settings mode tap does not know", { TAP_ACCOUNT_SETTINGS: "share" }, /^TAP_ACCOUNT_SETTINGS: "share" is not allowed; expected one of manage, skip$/],
    ["an accepted risk for a rule the pack does not have", { TAP_ACCEPT_RISKS: "Logs.Retenton=debug logs are kept 30 days" }, /^TAP_ACCEPT_RISKS: "Logs.Retenton" is not a rule of the pack; did you mean "Logs.Retention"\?/],
    ["an accepted risk without a real reason", { TAP_ACCEPT_RISKS: "Logs.Retention=ok" }, /^TAP_ACCEPT_RISKS\["Logs.Retention"\]: "ok" is too short; a reason of at least 10 characters is required$/],
    ["an accepted risk without =", { TAP_ACCEPT_RISKS: "Logs.Retention" }, /^TAP_ACCEPT_RISKS: "Logs.Retention" has an entry without "key=value"/],
    ["an invalid project name", { TAP_PROJECT: "My Project" }, /^TAP_PROJECT: "My Project" is not allowed/],
    ["an invalid state bucket", { TERRAFORM_STATE_BUCKET: "State_Bucket" }, /^TERRAFORM_STATE_BUCKET: "State_Bucket" is not a valid S3 bucket name/],
    ["an unknown state bucket region", { TERRAFORM_STATE_BUCKET_REGION: "moon-1" }, /^TERRAFORM_STATE_BUCKET_REGION: "moon-1" is not a supported region/],
    ["a state key with a leading slash", { TERRAFORM_STATE_BUCKET_KEY: "/state" }, /^TERRAFORM_STATE_BUCKET_KEY: "\/state" is not allowed; expected an S3 object key/],
    ["a misspelled variable, with the one it resembles", { TAP_REGION: "eu-west-1" }, /^TAP_REGION: is not a variable tap knows; did you mean TAP_REGIONS\?/],
    ["a misspelled state variable", { TERRAFORM_STATE_BUKET: "x" }, /^TERRAFORM_STATE_BUKET: is not a variable tap knows; did you mean TERRAFORM_STATE_BUCKET\?/],
    ["an S3 variable with the hcp backend", { TAP_BACKEND: "hcp", TAP_HCP_ORGANIZATION: "acme", TERRAFORM_STATE_BUCKET: "x-state" }, /^TERRAFORM_STATE_BUCKET: applies to the s3 backend, but the backend is hcp/],
    ["the hcp backend without an organization", { TAP_BACKEND: "hcp" }, /^TAP_HCP_ORGANIZATION: is required with the hcp backend/],
  ])("refuses %s with one line naming the setting, the value and what is allowed", (_, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test("reports every problem at once", () => {
    const problems = problemsOf({ TAP_REGIONS: "mars-1", TAP_LOG_RETENTION_DAYS: "2", TAP_TAGS: "[]" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["TAP_REGIONS", "TAP_LOG_RETENTION_DAYS", "TAP_TAGS"]);
  });


  test("a bad environment does not also report invalid resource names", () => {
    expect(problemsOf({ ENVIRONMENT_SUFFIX: "Prod_EU" })).toHaveLength(1);
  });

  test.each<[Record<string, string>]>([
    [{ TAP_VPC_CIDRS: "10.0.0.0/16,10.1.0.0/16,10.2.0.0/24" }],
    [{ TAP_PASSWORD_REUSE_PREVENTION: "1", TAP_ACCEPT_RISKS: "IAM.PasswordReusePrevention=SSO users have no IAM passwords" }],
    [{ TAP_PASSWORD_REUSE_PREVENTION: "24" }],
    [{ ENVIRONMENT_SUFFIX: "a".repeat(29), TAP_REGIONS: "us-east-1" }],
    [{ TAP_TAGS: "{}" }],
    [{ TAP_ALLOWED_SSH_CIDRS: "1.0.0.0/8" }],
  ])("accepts the boundary value %j", (env) => {
    expect(() => load(env)).not.toThrow();
  });
});

describe("loadConfig: the configuration file", () => {
  const folders: string[] = [];
  const folder = (content: unknown, name?: string) => {
    const dir = folderWithConfig(content, name);
    folders.push(dir);
    return dir;
  };
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("./tap.config.json is read when present, and its settings reach the stack", () => {
    const cwd = folder({ project: "acme", environment: "staging", regions: ["eu-west-1"], vpcCidrs: { "eu-west-1": "10.50.0.0/16" }, logRetentionDays: 731 });
    const config = loadConfig({}, { cwd });
    expect(config.file).toBe(join(cwd, "tap.config.json"));
    expect(config.stacks[0]).toMatchObject({ project: "acme", environment: "staging", regions: [{ region: "eu-west-1", vpcCidr: "10.50.0.0/16" }], logRetentionDays: 731 });
  });

  test("environment variables override the file; tags and accepted risks merge entry by entry", () => {
    const cwd = folder({ environment: "staging", tags: { CostCenter: "1", Owner: "file" }, acceptRisks: { "EC2.Descriptions": "descriptions live in the CMDB" } });
    const stack = loadConfig({ ENVIRONMENT_SUFFIX: "qa", TAP_TAGS: '{"Owner":"env"}', TAP_ACCEPT_RISKS: "VPC.FlowLogs=flow logs go to the SIEM" }, { cwd }).stacks[0];
    expect(stack.environment).toBe("qa");
    expect(stack.tags).toEqual({ CostCenter: "1", Owner: "env" });
    expect(stack.acceptedRisks.map((risk) => [risk.ruleId, risk.source])).toEqual([
      ["IAM.PasswordReusePrevention", "tap (product default)"],
      ["Account.SecurityContact", "tap (no TAP_SECURITY_CONTACT)"],
      ["EC2.Descriptions", "tap.config.json $.acceptRisks"],
      ["VPC.FlowLogs", "TAP_ACCEPT_RISKS"],
    ]);
  });

  test("a tag key that differs only by case from one in another layer is refused, naming both places", () => {
    const cwd = folder({ tags: { Team: "platform" } });
    expect(() => loadConfig({ TAP_TAGS: '{"TEAM":"ops"}' }, { cwd })).toThrow(
      /TAP_TAGS: "TEAM" and "Team" \(tap\.config\.json \$\.tags\) differ only by case: IAM treats tag keys case-insensitively/,
    );
    // The same key in the same case overrides, as before.
    expect(loadConfig({ TAP_TAGS: '{"Team":"ops"}' }, { cwd }).stacks[0].tags).toEqual({ Team: "ops" });
  });

  test("TAP_CONFIG names another file; a missing one is an error", () => {
    const cwd = folder({ environment: "uat" }, "custom.json");
    expect(loadConfig({ TAP_CONFIG: "custom.json" }, { cwd }).stacks[0].environment).toBe("uat");
    expect(problemsOf({ TAP_CONFIG: "missing.json" }, { cwd })).toEqual([expect.stringMatching(/^TAP_CONFIG: "missing.json" does not exist \(looked for .*missing.json\)$/)]);
  });

  test("errors in the file name the file and the JSON path, with a suggestion for a mistyped key", () => {
    const cwd = folder({ regoins: ["us-east-1"], regions: ["us-east-1", "eu-wset-1"], tags: { Owner: "a#b" }, backend: { type: "s3", bucket: "Bad_Bucket" } });
    expect(problemsOf({}, { cwd })).toEqual([
      expect.stringMatching(/^tap.config.json \$\.regoins: "regoins" is not a setting tap knows; did you mean "regions"\? settings here: \$schema, project, /),
      expect.stringMatching(/^tap.config.json \$\.regions\[1\]: "eu-wset-1" is not a supported region; did you mean "eu-west-1"\?/),
      expect.stringMatching(/^tap.config.json \$\.tags\.Owner: "a#b" is not a valid tag value/),
      expect.stringMatching(/^tap.config.json \$\.backend\.bucket: "Bad_Bucket" is not a valid S3 bucket name/),
    ]);
  });

  test("a file that is not JSON is one clear error", () => {
    const cwd = folder("{ regions: [us-east-1] }");
    expect(problemsOf({}, { cwd })).toEqual([expect.stringMatching(/^tap.config.json: is not valid JSON \(/)]);
  });

  test("a key given twice in an object is refused with its JSON path (JSON.parse would keep the last silently)", () => {
    const cwd = folder('{ "environment": "prod", "regions": ["us-east-1"], "tags": { "Team": "a", "Owner": "b", "Team": "c" }, "environment": "dev" }');
    expect(problemsOf({}, { cwd })).toEqual([
      "tap.config.json $.tags.Team: is given twice in its object; JSON keeps only the last, so remove one",
      "tap.config.json $.environment: is given twice in its object; JSON keeps only the last, so remove one",
    ]);
    // Escapes are decoded as JSON decodes them: "\u0054eam" is Team. Keys in different objects are not duplicates.
    expect(duplicateKeys('{"a": {"Team": 1, "\\u0054eam": 2}, "b": [{"x": 1}, {"x": "}\\" , "}]}')).toEqual([["a", "Team"]]);
  });

  test("a byte-order mark before the JSON is accepted", () => {
    const cwd = folder('\uFEFF{ "environment": "staging" }');
    expect(loadConfig({}, { cwd }).stacks[0].environment).toBe("staging");
  });

  test("a folder given as the file is named as such, not as invalid JSON", () => {
    const cwd = folder({});
    mkdirSync(join(cwd, "configs"));
    expect(problemsOf({ TAP_CONFIG: "configs" }, { cwd })).toEqual([`TAP_CONFIG: "configs" is a folder (${join(cwd, "configs")}); expected a JSON file such as tap.config.json`]);
  });

  test("the hcp backend gives each stack its own workspace", () => {
    const cwd = folder({ backend: { type: "hcp", organization: "acme", workspacePrefix: "tap-" } });
    expect(loadConfig({}, { cwd }).stacks[0].backend).toEqual({ type: "hcp", organization: "acme", workspace: "tap-dev", hostname: "app.terraform.io" });
  });
});

describe("the published JSON Schema", () => {
  test("tap.config.schema.json is generated from the setting definitions and is current (npm run schema)", () => {
    const committed = require("fs").readFileSync(join(__dirname, "..", "..", "tap.config.schema.json"), "utf8");
    expect(committed).toBe(configSchemaText());
  });

  test("it describes every setting with its environment variable's form, and refuses unknown keys", () => {
    const schema = JSON.parse(configSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(["$schema", "project", "accountId", ...Object.keys(STACK_ENV), "backend", "fleet", "organization"]);
    expect(schema.properties.regions.items.enum).toContain("eu-west-1");
    expect(schema.properties.logRetentionDays.enum).toContain(365);
    expect(schema.properties.fleet.properties.accounts.items.required).toEqual(["id", "name", "role", "environment"]);
    expect(schema.properties.backend.oneOf.map((variant: any) => variant.properties.type.const)).toEqual(["s3", "hcp"]);
  });
});
