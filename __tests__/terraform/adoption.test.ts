import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { SINGLETON_KEYS } from "../../src/aws/singletons";
import { SINGLE_STACK_NAME } from "../../src/config/load";
import { loadConfig } from "../../src/app/load-config";
import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { findProviderSource, TerraformWorkdir } from "../../scripts/terraform/workdir";

/** Every singleton adopted, in two regions: each import block must satisfy Terraform and the real provider's schema. */
const ADOPT_EVERYTHING = {
  TAP_REGIONS: "us-east-1,eu-west-1",
  TAP_SINGLETONS: SINGLETON_KEYS.map((key) => `${key}=adopt`).join(";"),
  TAP_ADOPT_NAMES: "trail=organization-trail;accessAnalyzer=ConsoleAnalyzer-1a2b;accessAnalyzer/eu-west-1=ConsoleAnalyzer-3c4d",
};

function synthesized(env: Record<string, string>): { root: string; stack: any } {
  const root = mkdtempSync(join(tmpdir(), "tap-terraform-adopt-"));
  buildApp(loadConfig(env, { file: null }), join(root, "cdktf.out")).app.synth();
  return { root, stack: JSON.parse(readFileSync(join(root, "cdktf.out", "stacks", SINGLE_STACK_NAME, "cdk.tf.json"), "utf8")) };
}

// The emulator proves adoption end to end for what it supports (apply tier); here Terraform itself
// checks every import block of every singleton: its target exists and its provider is the target's.
describeIfTier([TERRAFORM_TIER], "Terraform tier: adopting every singleton", () => {
  const workdirs: TerraformWorkdir[] = [];
  afterAll(() => workdirs.forEach((workdir) => workdir.dispose()));

  test("the import blocks of an adopt-everything configuration pass init and validate with the real provider", async () => {
    const { root, stack } = synthesized(ADOPT_EVERYTHING);
    expect(stack.import).toHaveLength(20);
    const workdir = TerraformWorkdir.fromStackJson(root, JSON.stringify(stack), findProviderSource());
    workdirs.push(workdir);
    await workdir.init();
    await workdir.validate();
  }, 120_000);

  test("Terraform refuses an import block whose provider is not its resource's, so the check above can fail", async () => {
    const { root, stack } = synthesized(ADOPT_EVERYTHING);
    const eastward = stack.import.find((block: { provider: string }) => block.provider === "aws.eu-west-1");
    eastward.provider = "aws.us-east-1";
    const workdir = TerraformWorkdir.fromStackJson(root, JSON.stringify(stack), findProviderSource());
    workdirs.push(workdir);
    await expect(workdir.init()).rejects.toThrow(/Invalid import provider argument/);
  }, 120_000);
});
