/** The guardrails' settings (src/guardrails/guardrail-settings.ts): who owns the account's settings, the paid services, singletons and accepted risks. */
import { RISKY_VALUES } from "../../src/config/load";
import { ACCOUNT_OWNER_RULE_IDS } from "../../src/guardrails/guardrail-facts";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { projectRoot } from "../../scripts/terraform/emulator";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";
import { loadConfig } from "../../src/app/load-config";
import { SINGLETON_KEYS, adoptedName } from "../../src/aws/singletons";
import { OWNER_REGIONS, folderWithConfig, load, problemsOf, stackOf } from "../settings-fixtures";

describe("loadConfig: singletons (create, adopt, external) and the names adopted ones keep", () => {
  test("every singleton is created unless configured; a variable and the file merge entry by entry", () => {
    expect(Object.values(stackOf({}).singletons)).toEqual(SINGLETON_KEYS.map(() => "create"));
    const dir = folderWithConfig({ singletons: { guardDuty: "external", awsConfig: "adopt" } });
    try {
      const stack = loadConfig({ TAP_SINGLETONS: "guardDuty=adopt;passwordPolicy=external" }, { cwd: dir }).stacks[0];
      expect(stack.singletons).toMatchObject({ guardDuty: "adopt", awsConfig: "adopt", passwordPolicy: "external", trail: "create" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("external accepts exactly the singleton's rules, saying who manages it and where that was set", () => {
    const stack = stackOf({ TAP_SINGLETONS: "guardDuty=external;passwordPolicy=external;trail=external;awsConfig=external" });
    const accepted = stack.acceptedRisks.filter((risk) => risk.source.includes("external"));
    // The password rules judge a declared policy only, so an external one needs no acceptance (nor the product default's).
    expect(accepted.map((risk) => risk.ruleId).sort()).toEqual(["CloudTrail.MultiRegionTrail", "CloudTrail.S3DataEvents", "Config.Recorder", "GuardDuty.Enabled", "GuardDuty.ProtectionPlans", "Monitoring.CisMetricAlarms"]);
    expect(stack.acceptedRisks.map((risk) => risk.ruleId)).not.toContain("IAM.PasswordReusePrevention");
    expect(accepted.find((risk) => risk.ruleId === "GuardDuty.Enabled")).toEqual({
      ruleId: "GuardDuty.Enabled",
      reason: "the GuardDuty detector is managed outside this deployment",
      source: "tap (TAP_SINGLETONS guardDuty=external)",
    });
  });

  test.each([
    [{ TAP_SINGLETONS: "guardduty=adopt" }, 'TAP_SINGLETONS: "guardduty" is not a singleton tap manages; did you mean "guardDuty"?'],
    [{ TAP_SINGLETONS: "guardDuty=import" }, 'TAP_SINGLETONS["guardDuty"]: "import" is not allowed; expected create, adopt, external'],
    [{ TAP_SINGLETONS: "accessAnalyzer=adopt", TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2,eu-central-1" }, 'TAP_SINGLETONS (accessAnalyzer): "adopt" needs the existing resource\'s name, which it keeps: set TAP_ADOPT_NAMES accessAnalyzer=<name> (for every region, or "accessAnalyzer/<region>" for us-east-1, us-west-2, eu-central-1)'],
    [{ TAP_SINGLETONS: "trail=adopt" }, 'TAP_SINGLETONS (trail): "adopt" needs the existing resource\'s name, which it keeps: set TAP_ADOPT_NAMES trail=<name>'],
    [{ TAP_SINGLETONS: "trail=external" }, 'TAP_SINGLETONS (trail): "external" leaves AWS Config without a bucket'],
    [{ TAP_GUARDDUTY: "false", TAP_ACCEPT_RISKS: "GuardDuty.Enabled=another detector", TAP_SINGLETONS: "guardDuty=adopt" }, 'TAP_SINGLETONS (guardDuty): "adopt" has no effect while TAP_GUARDDUTY is false'],
    [{ TAP_SINGLETONS: "awsConfig=external;configServiceRole=adopt" }, "TAP_SINGLETONS (configServiceRole): has no effect"],
    [{ TAP_ADOPT_NAMES: "configRecorder=main" }, 'TAP_ADOPT_NAMES (configRecorder): names an adopted resource, but singletons awsConfig is "create"'],
    [{ TAP_SINGLETONS: "trail=adopt", TAP_ADOPT_NAMES: "trail=main;trail/us-east-1=main" }, 'TAP_ADOPT_NAMES: "trail/us-east-1" names an account-wide resource, which has one name; use "trail" without a region'],
    [
      { TAP_SINGLETONS: "accessAnalyzer=adopt", TAP_ADOPT_NAMES: "accessAnalyzer=a;accessAnalyzer/eu-west-1=b", TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2,eu-central-1" },
      'TAP_ADOPT_NAMES (accessAnalyzer/eu-west-1): "eu-west-1" is not a guarded region (TAP_GUARDRAIL_REGIONS: us-east-1, us-west-2, eu-central-1)',
    ],
    [{ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1", TAP_SINGLETONS: "guardDuty=adopt" }, "TAP_SINGLETONS: is set while TAP_ACCOUNT_SETTINGS is skip"],
  ])("refuses %j, naming the setting", (env, problem) => {
    expect(problemsOf(env)).toEqual([expect.stringContaining(problem)]);
  });

  test("an adopted resource keeps its name: per region, for every region, or the console's default", () => {
    const stack = stackOf({ TAP_SINGLETONS: "accessAnalyzer=adopt;awsConfig=adopt", TAP_ADOPT_NAMES: "accessAnalyzer=shared;accessAnalyzer/us-west-2=west" });
    expect(adoptedName(stack.adoptNames, "accessAnalyzer", "us-east-1")).toBe("shared");
    expect(adoptedName(stack.adoptNames, "accessAnalyzer", "us-west-2")).toBe("west");
    expect(adoptedName(stack.adoptNames, "configRecorder", "us-east-1")).toBe("default");
  });

  test("the file's errors name the JSON path of the entry", () => {
    const dir = folderWithConfig({ singletons: { trail: "adopt" } });
    try {
      expect(problemsOf({}, { cwd: dir })).toEqual([expect.stringContaining('tap.config.json $.singletons.trail: "adopt" needs the existing resource\'s name')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadConfig: defaults and variables", () => {
  test("a deployment that skips the account's settings accepts exactly the rules of the controls the owner creates", () => {
    const skip = stackOf({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS });
    expect(skip.acceptedRisks.map((risk) => risk.ruleId).sort()).toEqual([...ACCOUNT_OWNER_RULE_IDS].sort());
    expect(new Set(skip.acceptedRisks.map((risk) => risk.source))).toEqual(new Set(["tap (accountSettings skip)"]));
  });

  test.each([
    ["TAP_REPLICATION", "S3.CrossRegionReplication"],
    ["TAP_GUARDDUTY", "GuardDuty.Enabled"],
    ["TAP_SECURITY_HUB", "SecurityHub.CisStandard"],
    ["TAP_DEFAULT_VPC_LOCKDOWN", "EC2.DefaultVpcSecurityGroupClosed"],
  ])("%s=false needs an accepted risk for %s", (variable, ruleId) => {
    expect(problemsOf({ [variable]: "false" })).toEqual([expect.stringMatching(new RegExp(`^${variable}: false .*\\(.*rule ${ruleId.replace(".", "\\.")}\\); change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="${ruleId.replace(".", "\\.")}=<why>"`))]);
    expect(() => load({ [variable]: "false", TAP_ACCEPT_RISKS: `${ruleId}=covered by the organization's own tooling` })).not.toThrow();
  });

  test("turning a guardrail off in a deployment that does not own it needs no acceptance: it only warns", () => {
    expect(() => load({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS, TAP_GUARDDUTY: "false" })).not.toThrow();
  });

  test("Security Hub without AWS Config is refused, naming both settings", () => {
    expect(problemsOf({ TAP_AWS_CONFIG: "false", TAP_ACCEPT_RISKS: "Config.Recorder=Control Tower records this account" })).toEqual([
      "TAP_SECURITY_HUB: is on while TAP_AWS_CONFIG is off; Security Hub's controls are AWS Config rules and report nothing without a recorder: turn AWS Config on, or Security Hub off",
    ]);
  });

  test("Security Hub standards: FSBP and CIS v5.0.0 by default; a list in any order, each once", () => {
    expect(stackOf({}).guardrails.securityHubStandards).toEqual(["fsbp", "cis-v5"]);
    expect(stackOf({ TAP_SECURITY_HUB_STANDARDS: "cis-v3,fsbp,cis-v5" }).guardrails.securityHubStandards).toEqual(["cis-v3", "fsbp", "cis-v5"]);
    expect(problemsOf({ TAP_SECURITY_HUB_STANDARDS: "fsbp,cis-v4" })).toEqual(['TAP_SECURITY_HUB_STANDARDS: "cis-v4" is not allowed; did you mean "cis-v5"? expected one of fsbp, cis-v5, cis-v3']);
    expect(problemsOf({ TAP_SECURITY_HUB_STANDARDS: "fsbp,fsbp" })).toEqual([expect.stringContaining("is listed more than once")]);
  });

  test.each([
    ["cis-v5", "SecurityHub.FsbpStandard", "leaves out AWS Foundational Security Best Practices"],
    ["fsbp", "SecurityHub.CisStandard", "subscribes no CIS AWS Foundations Benchmark version"],
  ])("securityHubStandards %s needs an accepted risk for %s", (standards, ruleId, why) => {
    expect(problemsOf({ TAP_SECURITY_HUB_STANDARDS: standards })).toEqual([
      `TAP_SECURITY_HUB_STANDARDS: ${JSON.stringify([standards])} ${why} (${ruleId === "SecurityHub.CisStandard" ? "CIS 4.16, " : ""}rule ${ruleId}); change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="${ruleId}=<why>" (or acceptRisks in tap.config.json)`,
    ]);
    expect(() => load({ TAP_SECURITY_HUB_STANDARDS: standards, TAP_ACCEPT_RISKS: `${ruleId}=the auditors of this account ask for the other standard only` })).not.toThrow();
  });

  test("Security Hub off, accepted as SecurityHub.CisStandard, also accepts SecurityHub.FsbpStandard with the same reason", () => {
    const stack = stackOf({ TAP_SECURITY_HUB: "false", TAP_ACCEPT_RISKS: "SecurityHub.CisStandard=the organization's hub covers this account" });
    expect(stack.acceptedRisks).toContainEqual({
      ruleId: "SecurityHub.FsbpStandard",
      reason: "the organization's hub covers this account",
      source: "TAP_ACCEPT_RISKS (SecurityHub.CisStandard, with TAP_SECURITY_HUB false)",
    });
  });

  test("GuardDuty protection plans: every plan by default; a plan left out needs GuardDuty.ProtectionPlans accepted with a reason", () => {
    expect(stackOf({}).guardrails.guardDutyProtection).toEqual(["s3", "eks-audit-logs", "malware-ec2", "rds", "lambda", "runtime-eks", "runtime-ecs", "runtime-ec2"]);
    expect(problemsOf({ TAP_GUARDDUTY_PROTECTION: "eks-audit-logs,malware-ec2,rds,lambda,runtime-eks,runtime-ecs,runtime-ec2" })).toEqual([
      'TAP_GUARDDUTY_PROTECTION: ["eks-audit-logs","malware-ec2","rds","lambda","runtime-eks","runtime-ecs","runtime-ec2"] leaves out GuardDuty protection plans s3 (FSBP GuardDuty.10) (rule GuardDuty.ProtectionPlans); change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="GuardDuty.ProtectionPlans=<why>" (or acceptRisks in tap.config.json)',
    ]);
    const accepted = stackOf({ TAP_GUARDDUTY_PROTECTION: "s3,rds", TAP_ACCEPT_RISKS: "GuardDuty.ProtectionPlans=this account runs no EKS, ECS, EC2 or Lambda workloads" });
    expect(accepted.guardrails.guardDutyProtection).toEqual(["s3", "rds"]);
    expect(problemsOf({ TAP_GUARDDUTY_PROTECTION: "s3,eks" })).toEqual([expect.stringContaining('TAP_GUARDDUTY_PROTECTION: "eks" is not allowed')]);
    // GuardDuty off, accepted as GuardDuty.Enabled, has no plans either: the same reason covers them.
    expect(stackOf({ TAP_GUARDDUTY: "false", TAP_ACCEPT_RISKS: "GuardDuty.Enabled=the organization's detector covers this account" }).acceptedRisks).toContainEqual({
      ruleId: "GuardDuty.ProtectionPlans",
      reason: "the organization's detector covers this account",
      source: "TAP_ACCEPT_RISKS (GuardDuty.Enabled, with TAP_GUARDDUTY false)",
    });
  });

  test("AWS Config recording: continuous and every type unless configured; daily and excluded types as given", () => {
    expect(stackOf({}).guardrails.configRecording).toEqual({ frequency: undefined, excludedResourceTypes: [] });
    const narrowed = stackOf({ TAP_CONFIG_RECORDING_FREQUENCY: "DAILY", TAP_CONFIG_EXCLUDED_RESOURCE_TYPES: "AWS::EC2::NetworkInterface,AWS::EC2::Volume" });
    expect(narrowed.guardrails.configRecording).toEqual({ frequency: "DAILY", excludedResourceTypes: ["AWS::EC2::NetworkInterface", "AWS::EC2::Volume"] });
    expect(problemsOf({ TAP_CONFIG_RECORDING_FREQUENCY: "HOURLY" })).toEqual([expect.stringContaining('TAP_CONFIG_RECORDING_FREQUENCY: "HOURLY" is not allowed')]);
    expect(problemsOf({ TAP_CONFIG_EXCLUDED_RESOURCE_TYPES: "EC2::Volume" })).toEqual([expect.stringContaining("expected an AWS Config resource type")]);
  });

  test("an excluded resource type that the standards' controls evaluate is refused, naming the setting, the value and what is required", () => {
    expect(problemsOf({ TAP_CONFIG_EXCLUDED_RESOURCE_TYPES: "AWS::EC2::Volume,AWS::EC2::SecurityGroup,AWS::S3::Bucket" })).toEqual([
      'TAP_CONFIG_EXCLUDED_RESOURCE_TYPES: ["AWS::EC2::Volume","AWS::EC2::SecurityGroup","AWS::S3::Bucket"] excludes AWS::EC2::SecurityGroup, AWS::S3::Bucket, which the enabled Security Hub standards\' controls evaluate for what tap builds (Security Hub\'s Config.1 fails a recorder without them; rule Config.RequiredResourceTypes); every one of AWS::CloudTrail::Trail, AWS::EC2::NetworkAcl, AWS::EC2::SecurityGroup, AWS::EC2::Subnet, AWS::EC2::VPC, AWS::IAM::Policy, AWS::IAM::Role, AWS::IAM::User, AWS::KMS::Key, AWS::Logs::LogGroup, AWS::S3::AccountPublicAccessBlock, AWS::S3::Bucket must be recorded',
    ]);
  });

  test("every rule that configuration refers to exists in the rule pack", () => {
    const ids = TAP_RULE_PACK.map((rule) => rule.id);
    const referenced = [
      ...RISKY_VALUES.map((risky) => risky.ruleId),
      ...load({ TAP_REGIONS: "eu-west-1" }).stacks[0].acceptedRisks.map((risk) => risk.ruleId),
      ...load({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS }).stacks[0].acceptedRisks.map((risk) => risk.ruleId),
    ];
    expect(referenced.filter((id) => !ids.includes(id))).toEqual([]);
  });

  test("skipping account settings turns every guardrail off and warns about guardrail settings that cannot apply", () => {
    const config = load({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS, TAP_GUARDDUTY: "true", TAP_ALARM_EMAIL: "secops@example.com" });
    expect(config.stacks[0].guardrails).toMatchObject({ guardDuty: false, securityHub: false, awsConfig: false, defaultVpcLockdown: false, alarmEmail: undefined, securityContact: undefined });
    expect(config.warnings).toEqual([
      "TAP_GUARDDUTY: has no effect: TAP_ACCOUNT_SETTINGS is skip, so the deployment that owns the account's settings decides it",
      "TAP_ALARM_EMAIL: has no effect: TAP_ACCOUNT_SETTINGS is skip, so the deployment that owns the account's settings decides it",
    ]);
  });

  test("the default VPC lockdown is on by default, for the owner only", () => {
    expect(stackOf({}).guardrails.defaultVpcLockdown).toBe(true);
    expect(stackOf({ TAP_DEFAULT_VPC_LOCKDOWN: "false", TAP_ACCEPT_RISKS: "EC2.DefaultVpcSecurityGroupClosed=legacy instances still use the default group" }).guardrails.defaultVpcLockdown).toBe(false);
    expect(stackOf({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS }).guardrails.defaultVpcLockdown).toBe(false);
  });

  test("the security contact: set from a JSON variable; without one the owner is warned and accepts Account.SecurityContact, visibly", () => {
    const contact = { name: "Security team", title: "Security operations", email: "secops@example.com", phone: "+1 (206) 555-0100" };
    const given = load({ TAP_SECURITY_CONTACT: JSON.stringify(contact) });
    expect(given.stacks[0].guardrails.securityContact).toEqual(contact);
    expect(given.stacks[0].acceptedRisks.map((risk) => risk.ruleId)).not.toContain("Account.SecurityContact");
    expect(given.warnings).toEqual([]);
    const none = load({});
    expect(none.stacks[0].acceptedRisks).toContainEqual({
      ruleId: "Account.SecurityContact",
      reason: "no securityContact is configured: AWS writes about security to the root e-mail address only",
      source: "tap (no TAP_SECURITY_CONTACT)",
    });
    expect(none.warnings).toEqual([expect.stringMatching(/^TAP_SECURITY_CONTACT: is not set: .* accept the risk with a reason: TAP_ACCEPT_RISKS="Account\.SecurityContact=<why>"$/)]);
    // An acceptance with a reason of the user's own silences the warning and replaces tap's.
    const accepted = load({ TAP_ACCEPT_RISKS: "Account.SecurityContact=the root address is the security team's list" });
    expect(accepted.warnings).toEqual([]);
    expect(accepted.stacks[0].acceptedRisks.filter((risk) => risk.ruleId === "Account.SecurityContact")).toEqual([
      { ruleId: "Account.SecurityContact", reason: "the root address is the security team's list", source: "TAP_ACCEPT_RISKS" },
    ]);
  });

  test.each([
    [{ email: "secops at example.com" }, 'TAP_SECURITY_CONTACT["email"]: "secops at example.com" is not allowed; expected an e-mail address of at most 254 characters'],
    [{ phone: "call the desk" }, 'TAP_SECURITY_CONTACT["phone"]: "call the desk" is not allowed; expected at most 25 digits, spaces and + - ( )'],
    [{ phone: "+1 206 555 0100 0100 0100 01" }, "TAP_SECURITY_CONTACT[\"phone\"]: \"+1 206 555 0100 0100 0100 01\" has 28 characters; expected at most 25 digits"],
    [{ title: "" }, 'TAP_SECURITY_CONTACT["title"]: "" is not allowed; expected 1-50 characters'],
    [{ name: "n".repeat(65) }, "has 65 characters; expected 1-64 characters"],
  ])("a security contact AWS would refuse is refused: %j", (change, message) => {
    const contact = { name: "Security team", title: "Security operations", email: "secops@example.com", phone: "+1 206 555 0100", ...change };
    expect(problemsOf({ TAP_SECURITY_CONTACT: JSON.stringify(contact) })).toEqual([expect.stringContaining(message)]);
  });

  test("a security contact missing a field, or not JSON, is refused", () => {
    expect(problemsOf({ TAP_SECURITY_CONTACT: '{"name":"a","title":"b","email":"a@example.com"}' })).toEqual([expect.stringMatching(/^TAP_SECURITY_CONTACT\["phone"\]: is required/)]);
    expect(problemsOf({ TAP_SECURITY_CONTACT: "secops@example.com" })).toEqual([expect.stringMatching(/^TAP_SECURITY_CONTACT: "secops@example.com" is not valid JSON/)]);
  });

  test("guardrailRegions with accountSettings skip is refused like singletons, not silently ignored", () => {
    expect(problemsOf({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: OWNER_REGIONS, TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2,eu-central-1" })).toEqual([
      "TAP_GUARDRAIL_REGIONS: is set while TAP_ACCOUNT_SETTINGS is skip; the deployment that owns the account's settings decides what happens to the account's singletons and which regions it guards",
    ]);
  });

  test.each([
    ["TAP_SINGLETONS", "guardDuty=adopt;guardDuty=external", "guardDuty"],
    ["TAP_ADOPT_NAMES", "configRecorder=a;configRecorder=b", "configRecorder"],
    ["TAP_ACCEPT_RISKS", "Logs.Retention=kept thirty days by policy;Logs.Retention=kept ninety days by policy", "Logs.Retention"],
    ["TAP_TAGS", '{"Team":"a","Team":"b"}', "Team"],
  ])("%s refuses a key given twice, naming it (the last would win silently)", (variable, text, key) => {
    expect(problemsOf({ [variable]: text })).toEqual([`${variable}: ${JSON.stringify(text)} gives "${key}" twice; the last would win silently, so keep one`]);
  });

  test("an accepted risk for a rule that a setting breaks lets the setting through", () => {
    const stack = stackOf({ TAP_LOG_RETENTION_DAYS: "30", TAP_ACCEPT_RISKS: "Logs.Retention=debug logs are kept 30 days by policy" });
    expect(stack.logRetentionDays).toBe(30);
    expect(stack.acceptedRisks).toContainEqual({ ruleId: "Logs.Retention", reason: "debug logs are kept 30 days by policy", source: "TAP_ACCEPT_RISKS" });
  });
});

describe("AWS Config's service-linked role in an organization's member", () => {
  const EXAMPLE = join(projectRoot(), "examples", "organization.tap.config.json");
  test("is adopted by default (AWS creates it in the organization's accounts with AWS Config's trusted access); a member may still create it", () => {
    const members = loadConfig({}, { file: EXAMPLE }).stacks;
    expect(members.map((member) => member.singletons.configServiceRole)).toEqual(members.map(() => "adopt"));
    // Outside an organization the account makes its own.
    expect(loadConfig({}, { file: null }).stacks[0].singletons.configServiceRole).toBe("create");
  });

  test("the member's stack imports it by its ARN instead of creating it", () => {
    const config = loadConfig({}, { file: EXAMPLE });
    const member = config.stacks[0];
    const outdir = mkdtempSync(join(tmpdir(), "tap-member-slr-"));
    buildApp(config, outdir).app.synth();
    const json = JSON.parse(readFileSync(join(outdir, "stacks", member.stackName, "cdk.tf.json"), "utf8"));
    const [address] = Object.keys(json.resource.aws_iam_service_linked_role);
    expect(json.import).toContainEqual({ to: `aws_iam_service_linked_role.${address}`, id: `arn:\${data.aws_partition.partition.partition}:iam::${member.account!.id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`, provider: expect.any(String) });
  });
});
