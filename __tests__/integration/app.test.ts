import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { TAP_RULE_PACK } from "../../src/app/rule-pack";

// Runs the compiled app exactly as `cdktf synth` does (`npm test` compiles it first).
const MAIN = join(__dirname, "..", "..", "dist", "main.js");

// Run from an empty folder so a developer's own tap.config.json never changes the outcome.
const CWD = mkdtempSync(join(tmpdir(), "tap-main-cwd-"));
afterAll(() => rmSync(CWD, { recursive: true, force: true }));

/** What a deployment without a security contact is told on stderr (the one warning the defaults give). */
const NO_CONTACT_WARNING = /^tap: warning: TAP_SECURITY_CONTACT: is not set: [^\n]*Account\.SecurityContact=<why>"\n$/;

function runApp(outdir: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [MAIN], { cwd: CWD, env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env }, encoding: "utf8" });
}

describe("main (the cdktf app)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "tap-main-"));
  const stackFile = join(outdir, "stacks", "tap", "cdk.tf.json");
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("synthesizes the default stack with nothing configured, warning only that no security contact is set", () => {
    const result = runApp(outdir);
    expect(result.stderr).toMatch(NO_CONTACT_WARNING);
    expect(result.status).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(stackFile, "utf8")).provider.aws)).toHaveLength(3);
    const written = JSON.parse(readFileSync(stackFile, "utf8"));
    const resources = Object.values<object>(written.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    expect(resources).toBe(277);
    expect(result.stdout).toBe(
      [
        "tap: stack tap (dev, ambient credentials): 277 resources in us-east-1, us-west-2, eu-central-1",
        "  state: S3 bucket not named: set accountId (TAP_ACCOUNT_ID), then npm run bootstrap; or backend.bucket. Key tap/dev/terraform.tfstate (us-east-1, encrypted (SSE-S3), locked with a lock file)",
        "  home region: us-east-1 (the first of regions; set homeRegion to keep it when regions are reordered)",
        "  guarded regions: 17 (3 in this stack, the others in 6 region stacks (layout split))",
        "  account settings: managed here: passwordPolicy, s3PublicAccessBlock, trail, configServiceRole, apiGatewayAccount, ebsEncryption, accessAnalyzer, guardDuty, securityHub, awsConfig",
        "  GuardDuty: a detector in 17 regions with every protection plan; billed per event and GB analysed, each plan only where its workloads run, S3 Protection per S3 data event analysed, per account and region",
        "  Security Hub: subscribes fsbp (AWS Foundational Security Best Practices v1.0.0), cis-v5 (CIS AWS Foundations Benchmark v5.0.0) in 17 regions; billed per security check (each control, each resource it evaluates), per account and region",
        "  AWS Config: a recorder in 17 regions, CONTINUOUS (every change a configuration item), all supported types; billed per configuration item recorded, per account and region",
        '  data: protection off (environment "dev" does not start with "prod"; set TAP_PROTECT_DATA=true to keep data); replication us-east-1 -> us-west-2 -> eu-central-1 -> us-east-1',
        "  reach: SSH from each region's own VPC CIDR; HTTPS from each region's own VPC CIDR",
        // Twenty guardrails per region without workload (six of them GuardDuty's protection-plan features), each region stack's counted as written.
        "tap: stack tap-guardrails-1 (after tap): 40 resources: the guardrails of us-east-2, us-west-1; state key tap/dev/guardrails-1/terraform.tfstate, same bucket",
        "tap: stack tap-guardrails-2 (after tap): 40 resources: the guardrails of ca-central-1, sa-east-1; state key tap/dev/guardrails-2/terraform.tfstate, same bucket",
        "tap: stack tap-guardrails-3 (after tap): 40 resources: the guardrails of eu-west-1, eu-west-2; state key tap/dev/guardrails-3/terraform.tfstate, same bucket",
        "tap: stack tap-guardrails-4 (after tap): 60 resources: the guardrails of eu-west-3, eu-north-1, ap-south-1; state key tap/dev/guardrails-4/terraform.tfstate, same bucket",
        "tap: stack tap-guardrails-5 (after tap): 60 resources: the guardrails of ap-northeast-1, ap-northeast-2, ap-northeast-3; state key tap/dev/guardrails-5/terraform.tfstate, same bucket",
        "tap: stack tap-guardrails-6 (after tap): 40 resources: the guardrails of ap-southeast-1, ap-southeast-2; state key tap/dev/guardrails-6/terraform.tfstate, same bucket",
        "",
      ].join("\n"),
    );
  });

  test("synthesizes where Terraform is not installed: the moved blocks do not make cdktf run `terraform version`", () => {
    const result = runApp(outdir, { PATH: "/nonexistent" });
    expect(result.stderr).toMatch(NO_CONTACT_WARNING);
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(stackFile, "utf8")).moved).toHaveLength(5);
  });

  test("the summary says when replication is off and why, and when the account's settings belong to another deployment", () => {
    const single = runApp(outdir, { TAP_REGIONS: "eu-west-1", TAP_ACCOUNT_SETTINGS: "skip", TAP_OWNER_REGIONS: "eu-west-1" });
    expect(single.stdout).toContain("  account settings: left to another deployment (the account's owner, covering eu-west-1)\n");
    expect(single.stdout).toContain("; replication none (single region)\n");
    const off = runApp(outdir, { TAP_REPLICATION: "false", TAP_GUARDDUTY: "false", TAP_ACCEPT_RISKS: "S3.CrossRegionReplication=copies are kept by AWS Backup;GuardDuty.Enabled=the SOC runs its own detector" });
    expect(off.stdout).toContain("accessAnalyzer, securityHub, awsConfig; off: guardDuty\n");
    expect(off.stdout).toContain("; replication off (accepted risk)\n");
  });

  test("bad configuration exits non-zero with one line per problem and leaves earlier output untouched", () => {
    const before = { text: readFileSync(stackFile, "utf8"), mtime: statSync(stackFile).mtimeMs };
    const result = runApp(outdir, { TAP_REGIONS: "us-east-1,mars-1", TAP_ALLOWED_SSH_CIDRS: "0.0.0.0/0" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "tap: configuration error",
      expect.stringMatching(/^ {2}TAP_REGIONS: "mars-1" is not a supported region; expected one of us-east-1, /),
      expect.stringMatching(/^ {2}TAP_ALLOWED_SSH_CIDRS: "0.0.0.0\/0" opens SSH to the whole internet/),
    ]);
    expect(readFileSync(stackFile, "utf8")).toBe(before.text);
    expect(statSync(stackFile).mtimeMs).toBe(before.mtime);
  });
});

describe("audit (the compliance report)", () => {
  const AUDIT = join(__dirname, "..", "..", "dist", "audit.js");
  const runAudit = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [AUDIT], { cwd: CWD, env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });

  test("reports every rule for the default configuration and ends with the pass/fail count", () => {
    const result = runAudit();
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RULE\s+RESULT\s+COVERED\s+CIS\s+CHECKOV$/);
    // 7 buckets: data and access logs in each of 3 regions, and the trail bucket.
    expect(result.stdout).toMatch(/^S3\.PublicAccessBlock\s+pass\s+7\s+2\.1\.4\s+CKV2_AWS_6/m);
    expect(result.stdout).toMatch(/^Monitoring\.CisMetricAlarms\s+pass\s+1\s+4\.1-4\.15/m);
    expect(result.stdout).toMatch(/^IAM\.PasswordReusePrevention\s+suppressed\s+1\s+1\.9/m);
    expect(result.stdout).toContain("[IAM.PasswordReusePrevention] tap/identity/password-policy: reuse prevention 5 is the product default");
    // IAM.ManagedPolicySize has nothing to check: tap declares no managed policy.
    expect(result.stdout).toMatch(/^IAM\.ManagedPolicySize\s+not-applicable\s+0/m);
    // Not passed: reuse prevention 5 and the missing security contact (suppressed), IAM.ManagedPolicySize (not applicable).
    expect(result.stdout).toMatch(/^Account\.SecurityContact\s+suppressed\s+1/m);
    expect(lines[lines.length - 1]).toBe(`${TAP_RULE_PACK.length - 3} passed, 0 failed`);
  });

  test("a risk accepted in configuration shows as suppressed, with its reason, and the audit passes", () => {
    const result = runAudit({ TAP_LOG_RETENTION_DAYS: "30", TAP_REGIONS: "eu-west-1", TAP_ACCEPT_RISKS: "Logs.Retention=debug logs are kept 30 days by policy" });
    expect(result.status).toBe(0);
    // The API Gateway, flow-log and trail log groups of the one region.
    expect(result.stdout).toMatch(/^Logs\.Retention\s+suppressed\s+3/m);
    expect(result.stdout).toContain("[Logs.Retention] tap/network-eu-west-1/flow-log-group: debug logs are kept 30 days by policy (accepted by TAP_ACCEPT_RISKS)");
  });

  test("a setting that breaks a rule without an accepted risk stops audit and synth alike, as a configuration error", () => {
    const env = { TAP_LOG_RETENTION_DAYS: "30" };
    const outdir = mkdtempSync(join(tmpdir(), "tap-main-"));
    for (const result of [runAudit(env), runApp(outdir, env)]) {
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^tap: configuration error\n {2}TAP_LOG_RETENTION_DAYS: 30 is below the 365 days rule Logs.Retention requires/);
    }
    expect(existsSync(join(outdir, "stacks", "tap", "cdk.tf.json"))).toBe(false);
    rmSync(outdir, { recursive: true, force: true });
  });
});
