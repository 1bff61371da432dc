import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { SINGLE_STACK_NAME as STACK_NAME } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import { findProviderSource, planTestFile, TerraformWorkdir } from "../../scripts/terraform/workdir";

// Proves the tier can fail: values that configuration validation would stop are written
// straight into the synthesized JSON, and the real provider must reject them with its own words.
describeIfTier([TERRAFORM_TIER], "Terraform tier: the real provider rejects what it should", () => {
  let workdir: TerraformWorkdir;
  afterAll(() => workdir?.dispose());

  test("a log retention of 366 days and a malformed subnet CIDR fail validate with Terraform's errors", async () => {
    const root = mkdtempSync(join(tmpdir(), "tap-terraform-broken-"));
    buildApp(loadConfig({}, { file: null }), join(root, "cdktf.out")).app.synth();
    const stack = JSON.parse(readFileSync(join(root, "cdktf.out", "stacks", STACK_NAME, "cdk.tf.json"), "utf8"));
    const [logGroup] = Object.keys(stack.resource.aws_cloudwatch_log_group);
    stack.resource.aws_cloudwatch_log_group[logGroup].retention_in_days = 366;
    const [subnet] = Object.keys(stack.resource.aws_subnet);
    stack.resource.aws_subnet[subnet].cidr_block = "10.10.0.0/33";
    workdir = TerraformWorkdir.fromStackJson(root, JSON.stringify(stack), findProviderSource());
    await workdir.init();

    const failure = workdir.validate();
    await expect(failure).rejects.toThrow(/terraform validate -no-color exited with 1/);
    await expect(failure).rejects.toThrow(/expected retention_in_days to be one of/);
    await expect(failure).rejects.toThrow(new RegExp(`aws_cloudwatch_log_group\\.${logGroup}`));
    await expect(failure).rejects.toThrow(/"10\.10\.0\.0\/33" is not a valid CIDR block/);
  }, 120_000);

  test("init verifies the provider against the committed lock file: a tampered checksum fails", async () => {
    const root = mkdtempSync(join(tmpdir(), "tap-terraform-lock-"));
    buildApp(loadConfig({}, { file: null }), join(root, "cdktf.out")).app.synth();
    const stackDir = join(root, "cdktf.out", "stacks", STACK_NAME);
    const lock = readFileSync(join(stackDir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain('"h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="');
    const tampered = TerraformWorkdir.fromStackJson(root, readFileSync(join(stackDir, "cdk.tf.json"), "utf8"), findProviderSource());
    writeFileSync(join(tampered.dir, ".terraform.lock.hcl"), lock.replace("h1:edXOJWE4", "h1:AAAAAAAA").replace(/\s+"zh:[0-9a-f]+",/g, ""));
    try {
      await expect(tampered.init()).rejects.toThrow(/doesn't match any of the\s+checksums previously recorded in the dependency lock file/);
    } finally {
      tampered.dispose();
    }
  }, 120_000);

  test("a region whose chosen zones all lack execute-api stops the plan with the endpoint's precondition, naming zones and service", async () => {
    const root = mkdtempSync(join(tmpdir(), "tap-terraform-zones-"));
    buildApp(loadConfig({}, { file: null }), join(root, "cdktf.out")).app.synth();
    const stackJson = readFileSync(join(root, "cdktf.out", "stacks", STACK_NAME, "cdk.tf.json"), "utf8");
    // In this account us-east-1's execute-api endpoints exist only in us-east-1a (use1-az6), a zone tap does not use.
    const testFile = planTestFile(JSON.parse(stackJson)).replace(
      /(target = data\.aws_vpc_endpoint_service\.network-us-east-1_[^\n]+\n\s+values = )\{[^\n]+\}/,
      '$1{"availability_zones":["us-east-1a"]}',
    );
    expect(testFile).toContain('{"availability_zones":["us-east-1a"]}');
    const zones = TerraformWorkdir.fromStackJson(root, stackJson, findProviderSource(), testFile);
    try {
      await zones.init();
      const failure = zones.plan();
      await expect(failure).rejects.toThrow(/Resource precondition failed/);
      await expect(failure).rejects.toThrow(/None of the zones use1-az1, use1-az2, use1-az4 offers com\.amazonaws\.us-east-1\.execute-api in this account/);
    } finally {
      zones.dispose();
    }
  }, 120_000);
});
