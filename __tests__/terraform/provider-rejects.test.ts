import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { loadConfig, SINGLE_STACK_NAME as STACK_NAME } from "../../src/config/load";
import { findProviderMirror, TerraformWorkdir, terraformTierEnabled } from "./harness";

// Proves the tier can fail: values that configuration validation would stop are written
// straight into the synthesized JSON, and the real provider must reject them with its own words.
(terraformTierEnabled() ? describe : describe.skip)("Terraform tier: the real provider rejects what it should", () => {
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
    workdir = TerraformWorkdir.fromStackJson(root, JSON.stringify(stack), findProviderMirror());
    await workdir.init();

    const failure = workdir.validate();
    await expect(failure).rejects.toThrow(/terraform validate -no-color exited with 1/);
    await expect(failure).rejects.toThrow(/expected retention_in_days to be one of/);
    await expect(failure).rejects.toThrow(new RegExp(`aws_cloudwatch_log_group\\.${logGroup}`));
    await expect(failure).rejects.toThrow(/"10\.10\.0\.0\/33" is not a valid CIDR block/);
  }, 120_000);
});
