import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { describeStacks, previousSubscriptions } from "../../src/app/summary";
import { join } from "path";
import { SINGLETON_KEYS } from "../../src/aws/singletons";
import { loadConfig } from "../../src/app/load-config";
import { projectRoot } from "../../scripts/terraform/emulator";

/** `json` written to a configuration file of its own. */
const EXAMPLE_COPY = (json: object) => {
  const file = join(mkdtempSync(join(tmpdir(), "tap-summary-org-")), "tap.config.json");
  writeFileSync(file, JSON.stringify(json));
  return file;
};
const summary = (env: Record<string, string>, counts?: Map<string, number>) => describeStacks(loadConfig(env, { file: null }), counts);

describe("synth summary", () => {
  test("a few lines per stack: target and resources, state, home region, account settings, data, reach", () => {
    expect(summary({}, new Map([["tap", 239], ["tap-guardrails-1", 16]]))).toEqual([
      "tap: stack tap (dev, ambient credentials): 239 resources in us-east-1, us-west-2, eu-central-1",
      "  state: S3 bucket not named: set accountId (TAP_ACCOUNT_ID), then npm run bootstrap; or backend.bucket. Key tap/dev/terraform.tfstate (us-east-1, encrypted (SSE-S3), locked with a lock file)",
      "  home region: us-east-1 (the first of regions; set homeRegion to keep it when regions are reordered)",
      "  guarded regions: 17 (3 in this stack, the others in 6 region stacks (layout split))",
      "  account settings: managed here: passwordPolicy, s3PublicAccessBlock, trail, configServiceRole, apiGatewayAccount, ebsEncryption, accessAnalyzer, guardDuty, securityHub, awsConfig",
      "  GuardDuty: a detector in 17 regions with every protection plan; billed per event and GB analysed, each plan only where its workloads run, S3 Protection per S3 data event analysed, per account and region",
      "  Security Hub: subscribes fsbp (AWS Foundational Security Best Practices v1.0.0), cis-v5 (CIS AWS Foundations Benchmark v5.0.0) in 17 regions; billed per security check (each control, each resource it evaluates), per account and region",
      "  AWS Config: a recorder in 17 regions, CONTINUOUS (every change a configuration item), all supported types; billed per configuration item recorded, per account and region",
      '  data: protection off (environment "dev" does not start with "prod"; set TAP_PROTECT_DATA=true to keep data); replication us-east-1 -> us-west-2 -> eu-central-1 -> us-east-1',
      "  reach: SSH from each region's own VPC CIDR; HTTPS from each region's own VPC CIDR",
      "tap: stack tap-guardrails-1 (after tap): 16 resources: the guardrails of us-east-2, us-west-1; state key tap/dev/guardrails-1/terraform.tfstate, same bucket",
      "tap: stack tap-guardrails-2 (after tap): the guardrails of ca-central-1, sa-east-1; state key tap/dev/guardrails-2/terraform.tfstate, same bucket",
      "tap: stack tap-guardrails-3 (after tap): the guardrails of eu-west-1, eu-west-2; state key tap/dev/guardrails-3/terraform.tfstate, same bucket",
      "tap: stack tap-guardrails-4 (after tap): the guardrails of eu-west-3, eu-north-1, ap-south-1; state key tap/dev/guardrails-4/terraform.tfstate, same bucket",
      "tap: stack tap-guardrails-5 (after tap): the guardrails of ap-northeast-1, ap-northeast-2, ap-northeast-3; state key tap/dev/guardrails-5/terraform.tfstate, same bucket",
      "tap: stack tap-guardrails-6 (after tap): the guardrails of ap-southeast-1, ap-southeast-2; state key tap/dev/guardrails-6/terraform.tfstate, same bucket",
    ]);
  });

  test("the single layout, or guarded regions that are all workload regions, is one stack", () => {
    expect(summary({ TAP_LAYOUT: "single" })).toContain("  guarded regions: 17 (17 in this stack)");
    expect(summary({ TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2,eu-central-1" }).filter((line) => line.startsWith("tap: stack"))).toHaveLength(1);
    expect(summary({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" })).toContain("  guarded regions: none here (the owner deployment guards the account)");
  });

  test("with accountId: the account, the state bucket unique to it and its region, and the bootstrap stack that creates it", () => {
    const lines = summary({ TAP_ACCOUNT_ID: "111122223333" }, new Map([["tap", 239], ["bootstrap", 19]]));
    expect(lines[0]).toBe("tap: stack tap (dev, account 111122223333, ambient credentials): 239 resources in us-east-1, us-west-2, eu-central-1");
    // Bootstrap's bucket refuses writes not under its state key, which synth knows once bootstrap ran here.
    expect(lines[1]).toBe(
      "  state: s3://tap-tfstate-111122223333-us-east-1/tap/dev/terraform.tfstate (us-east-1, under the state key once known: npm run bootstrap here, or backend.kmsKeyId (TERRAFORM_STATE_KMS_KEY_ID); deploy refuses until then, locked with a lock file)",
    );
    expect(lines.at(-1)).toBe(
      "tap: stack bootstrap (npm run bootstrap, account 111122223333): 19 resources: the state bucket s3://tap-tfstate-111122223333-us-east-1 in us-east-1; its own state stays local, in cdktf.out/stacks/bootstrap",
    );
    const key = "arn:aws:kms:us-east-1:111122223333:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
    expect(summary({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_KMS_KEY_ID: key })[1]).toContain(`(us-east-1, encrypted with ${key}, locked with a lock file)`);
  });

  test("names the singletons the owner adopts and those it leaves to others, the sources given, and an HCP workspace", () => {
    const lines = summary({
      TAP_SINGLETONS: "awsConfig=adopt;configServiceRole=adopt;guardDuty=external",
      TAP_ALLOWED_SSH_CIDRS: "none",
      TAP_ALLOWED_HTTPS_CIDRS: "203.0.113.0/24",
      TAP_BACKEND: "hcp",
      TAP_HCP_ORGANIZATION: "acme",
    });
    expect(lines).toContain(
      "  account settings: managed here: passwordPolicy, s3PublicAccessBlock, trail, apiGatewayAccount, ebsEncryption, accessAnalyzer, securityHub; adopted: configServiceRole, awsConfig; left outside this deployment: guardDuty",
    );
    expect(lines).toContain("  state: HCP Terraform workspace tap-dev of acme at app.terraform.io");
    // One workspace per stack: a region stack's beside its account's.
    expect(lines.find((line) => line.startsWith("tap: stack tap-guardrails-1"))).toMatch(/; workspace tap-dev-guardrails-1$/);
    expect(lines).toContain("  reach: SSH from nowhere (no rule); HTTPS from 203.0.113.0/24");
  });

  test("an organization's role stacks each say what of their account's baseline they hold, and what the organization runs there", () => {
    const lines = describeStacks(loadConfig({}, { file: join(projectRoot(), "examples", "organization.tap.config.json") }));
    const after = (stack: string) => lines[lines.findIndex((line) => line.startsWith(`tap: stack ${stack} (`)) + 1];
    const own = "password policy, support role, account S3 block, security contact, EBS encryption, public sharing blocks, default VPC lockdown";
    expect(after("log-archive")).toBe(`  baseline: the account's guardrails in 2 regions (eu-west-1, eu-central-1): ${own}, an account analyzer, AWS Config to the archive; left to the organization or others: trail, guardDuty, securityHub`);
    expect(after("management")).toBe(after("log-archive"));
    expect(after("security")).toBe(`  baseline: the account's guardrails in 2 regions (eu-west-1, eu-central-1): ${own}, AWS Config to the archive; left to the organization or others: trail, accessAnalyzer, guardDuty, securityHub`);
  });

  describe("account settings: every singleton once, in one form", () => {
    const settingsOf = (lines: string[]) => lines.filter((line) => line.startsWith("  account settings: ")).map((line) => line.slice("  account settings: ".length));
    /** Each group ("managed here: a, b") with its keys; a key in two groups, or in none, is a contradiction. */
    const groups = (text: string) => Object.fromEntries(text.split("; ").map((part) => [part.slice(0, part.indexOf(": ")), part.slice(part.indexOf(": ") + 2).split(", ")]));
    const expectEachKeyOnce = (text: string) => expect(Object.values(groups(text)).flat().sort()).toEqual([...SINGLETON_KEYS].sort());

    test("an organization member leaves the trail and the security services to the organization and says nothing else of them", () => {
      const members = settingsOf(describeStacks(loadConfig({}, { file: join(projectRoot(), "examples", "organization.tap.config.json") })));
      expect(members).toHaveLength(6);
      for (const text of members) {
        expect(groups(text)).toEqual({
          "managed here": ["passwordPolicy", "s3PublicAccessBlock", "apiGatewayAccount", "ebsEncryption", "awsConfig"],
          // AWS creates AWSServiceRoleForConfig in the organization's accounts with AWS Config's trusted access.
          adopted: ["configServiceRole"],
          "left to the organization": ["trail", "accessAnalyzer", "guardDuty", "securityHub"],
        });
        expectEachKeyOnce(text);
      }
    });

    test("the security stack says, region by region, whether it adopts the detector delegation enabled, creates one or leaves it", () => {
      const json = JSON.parse(readFileSync(join(projectRoot(), "examples", "organization.tap.config.json"), "utf8"));
      delete json.$schema;
      const security = () => describeStacks(loadConfig({}, { file: EXAMPLE_COPY(json) })).find((line) => line.startsWith("tap: stack security "))!;
      expect(security()).toContain("GuardDuty (the detector delegation enabled adopted in eu-central-1, eu-west-1), Security Hub (fsbp (AWS Foundational");
      json.organization.securityServices = { "guardDuty/eu-west-1": "create", "guardDuty/eu-central-1": "external", securityHub: "external" };
      expect(security()).toContain("GuardDuty (a detector created in eu-west-1; left to another tool in eu-central-1), Security Hub (external: its organization configuration left to another tool)");
    });

    test("a paid guardrail switched off is off, not managed; the Config service role goes with AWS Config when tap does not record", () => {
      const [text] = settingsOf(summary({ TAP_GUARDDUTY: "false", TAP_SECURITY_HUB: "false", TAP_AWS_CONFIG: "false", TAP_ACCEPT_RISKS: "GuardDuty.Enabled=the SOC runs its own;SecurityHub.CisStandard=the SOC runs its own;Config.Recorder=the SOC runs its own" }));
      expect(text).toBe("managed here: passwordPolicy, s3PublicAccessBlock, trail, apiGatewayAccount, ebsEncryption, accessAnalyzer; off: configServiceRole, guardDuty, securityHub, awsConfig");
      const [external] = settingsOf(summary({ TAP_SINGLETONS: "awsConfig=external;trail=external" }));
      expect(groups(external)["left outside this deployment"]).toEqual(["trail", "configServiceRole", "awsConfig"]);
      for (const each of [text, external]) expectEachKeyOnce(each);
    });

    test("with accountSettings skip, all of them are the owner deployment's", () => {
      expect(settingsOf(summary({ TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "us-east-1,us-west-2,eu-central-1" }))).toEqual([
        "left to another deployment (the account's owner, covering us-east-1, us-west-2, eu-central-1)",
      ]);
    });
  });

  test("the paid guardrails: each standard with its controls and regions, the recorder's frequency and exclusions, and their billing units", () => {
    const lines = summary({ TAP_SECURITY_HUB_STANDARDS: "cis-v3", TAP_ACCEPT_RISKS: "SecurityHub.FsbpStandard=the auditors ask for CIS only", TAP_CONFIG_RECORDING_FREQUENCY: "DAILY", TAP_CONFIG_EXCLUDED_RESOURCE_TYPES: "AWS::EC2::Volume", TAP_GUARDRAIL_REGIONS: "us-east-1,us-west-2,eu-central-1" });
    expect(lines).toContain("  Security Hub: subscribes cis-v3 (CIS AWS Foundations Benchmark v3.0.0) in 3 regions; billed per security check (each control, each resource it evaluates), per account and region");
    expect(lines).toContain("  AWS Config: a recorder in 3 regions, DAILY (one configuration item per changed resource a day), all supported types but AWS::EC2::Volume; billed per configuration item recorded, per account and region");
    expect(summary({ TAP_SECURITY_HUB: "false", TAP_ACCEPT_RISKS: "SecurityHub.CisStandard=the organization's hub covers this account" })).toContain("  Security Hub: off");
    expect(summary({ TAP_GUARDDUTY_PROTECTION: "rds,lambda", TAP_ACCEPT_RISKS: "GuardDuty.ProtectionPlans=this account runs only RDS and Lambda workloads" })).toContain(
      "  GuardDuty: a detector in 17 regions with protection plans rds, lambda (off: s3, eks-audit-logs, malware-ec2, runtime-eks, runtime-ecs, runtime-ec2); billed per event and GB analysed, each plan only where its workloads run, per account and region",
    );
  });

  describe("what a deploy unsubscribes, against the previous synth still in cdktf.out", () => {
    let outdir: string;
    const subscription = (region: string, version: string) => ({ standards_arn: `arn:\${data.aws_partition.partition.partition}:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/${version}` });
    beforeEach(() => {
      outdir = mkdtempSync(join(tmpdir(), "tap-summary-"));
      // A deployment of the days of CIS v3.0.0 only: the account stack's regions and a region stack's.
      const stacks: Record<string, Record<string, object>> = {
        tap: { "guardrails-us-east-1_security-hub-cis-v3_1": subscription("us-east-1", "3.0.0"), "guardrails-us-west-2_security-hub-cis-v3_2": subscription("us-west-2", "3.0.0") },
        "tap-guardrails-1": { "guardrails-us-east-2_security-hub-cis-v3_3": subscription("us-east-2", "3.0.0") },
      };
      for (const [name, subscriptions] of Object.entries(stacks)) {
        mkdirSync(join(outdir, "stacks", name), { recursive: true });
        writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify({ resource: { aws_securityhub_standards_subscription: subscriptions } }));
      }
    });
    afterEach(() => rmSync(outdir, { recursive: true, force: true }));

    test("reads each account's subscriptions, its region stacks' included", () => {
      expect(previousSubscriptions(outdir)).toEqual(new Map([["tap", new Map([["cis-v3", 3]])]]));
      expect(previousSubscriptions(join(outdir, "none"))).toEqual(new Map());
    });

    test("the new default drops CIS v3.0.0: a WARN naming the value that keeps it", () => {
      const lines = describeStacks(loadConfig({}, { file: null }), new Map(), previousSubscriptions(outdir));
      expect(lines.filter((line) => line.startsWith("WARN"))).toEqual([
        'WARN [tap]: this deploy UNSUBSCRIBES CIS AWS Foundations Benchmark v3.0.0 in 3 regions (the previous synth in cdktf.out subscribed it): its findings and score go. To keep it: securityHubStandards ["fsbp","cis-v5","cis-v3"] (TAP_SECURITY_HUB_STANDARDS=fsbp,cis-v5,cis-v3); docs/security.md: Moving from CIS v3.0.0',
      ]);
    });

    test("keeping CIS v3.0.0 in the list warns of nothing", () => {
      const lines = describeStacks(loadConfig({ TAP_SECURITY_HUB_STANDARDS: "fsbp,cis-v5,cis-v3" }, { file: null }), new Map(), previousSubscriptions(outdir));
      expect(lines.filter((line) => line.startsWith("WARN"))).toEqual([]);
    });
  });
});
