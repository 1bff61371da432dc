import { describeIfTier, TERRAFORM_TIER } from "../tiers";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import { findProviderSource, overrideDataBlocks, planFromTestOutput, TerraformWorkdir } from "../../scripts/terraform/workdir";

/** The synthesized stack document of a configuration given as variables. */
function synthesize(env: Record<string, string>, root: string, name: string): string {
  const outdir = join(root, name);
  buildApp(loadConfig(env, { file: null }), outdir).app.synth();
  return readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json"), "utf8");
}

/**
 * A test file that first applies `before/` (the three-region configuration) with mocked
 * providers, so state holds every region, then plans the stack under test on that same state
 * (state_key). Nothing reaches AWS: the providers are mocks and the lookups are overridden.
 */
function retireTestFile(aliases: readonly string[], arnTypes: readonly string[], before: object, after: object): string {
  // Mocked values must still pass the provider's own validation: policy documents must be
  // policies, the partition a partition, and every ARN an ARN.
  const emptyPolicy = JSON.stringify(JSON.stringify({ Version: "2012-10-17", Statement: [] }));
  const mocks = aliases
    .map((alias) =>
      [
        `mock_provider "aws" {`,
        `  alias = "${alias}"`,
        `  mock_data "aws_iam_policy_document" {\n    defaults = { json = ${emptyPolicy} }\n  }`,
        `  mock_data "aws_partition" {\n    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }\n  }`,
        ...arnTypes.map((type) => `  mock_resource "${type}" {\n    defaults = { arn = "arn:aws:${type.split("_")[1]}:${alias}:123456789012:${type}/mock" }\n  }`),
        `}`,
      ].join("\n"),
    )
    .join("\n");
  const overrides = [...new Set([overrideDataBlocks(before as any), overrideDataBlocks(after as any)].join("\n\n").split("\n\n"))].join("\n\n");
  return `${mocks}\n\n${overrides}\n\nrun "deployed" {\n  state_key = "tap"\n  module {\n    source = "./before"\n  }\n}\n\nrun "retire" {\n  state_key = "tap"\n  command   = plan\n}\n`;
}

/** Which of `types` have an `arn` attribute, from the provider's own schema. */
async function resourceTypesWithArn(workdir: TerraformWorkdir, types: readonly string[]): Promise<string[]> {
  const { stdout } = await workdir.run(["providers", "schema", "-json"]);
  const schemas = JSON.parse(stdout).provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas;
  return [...new Set(types)].filter((type) => schemas[type]?.block.attributes?.arn).sort();
}

describeIfTier([TERRAFORM_TIER], "Terraform tier: retiring a region", () => {
  const root = mkdtempSync(join(tmpdir(), "tap-terraform-retire-"));
  const beforeJson = synthesize({}, root, "before-out");
  const before = JSON.parse(beforeJson);
  const retiringRegion = "eu-central-1";

  async function planAgainstDeployedState(afterEnv: Record<string, string>) {
    const after = JSON.parse(synthesize(afterEnv, root, `after-${Object.keys(afterEnv).join("-")}`));
    const aliases = [...new Set([...before.provider.aws, ...after.provider.aws].map((p: { alias: string }) => p.alias))];
    const workdir = TerraformWorkdir.fromStackJson(mkdtempSync(join(root, "run-")), JSON.stringify(after), findProviderSource(), "");
    mkdirSync(join(workdir.dir, "before"));
    writeFileSync(join(workdir.dir, "before", "cdk.tf.json"), beforeJson);
    await workdir.init();
    const arnTypes = await resourceTypesWithArn(workdir, [...Object.keys(before.resource), ...Object.keys(after.resource)]);
    writeFileSync(join(workdir.dir, "tests", "plan.tftest.hcl"), retireTestFile(aliases, arnTypes, before, after));
    await workdir.init(); // again: init installs the modules a test file names (./before)
    return workdir.run(["test", "-json", "-verbose", "-no-color"]);
  }

  test("moving a region to TAP_RETIRING_REGIONS plans the deletion of everything it holds, and replaces nothing elsewhere", async () => {
    const { stdout } = await planAgainstDeployedState({ TAP_REGIONS: "us-east-1,us-west-2", TAP_RETIRING_REGIONS: retiringRegion });
    const plan = planFromTestOutput(stdout);
    const managed = plan.resource_changes.filter((change) => change.mode === "managed");
    const inRetiring = managed.filter((change) => change.address.includes(`-${retiringRegion}_`));
    const retiringInBefore = Object.values(before.resource as Record<string, Record<string, { provider: string }>>)
      .flatMap((byName) => Object.values(byName))
      .filter((body) => body.provider === `aws.${retiringRegion}`);
    expect(inRetiring.length).toBe(retiringInBefore.length);
    expect(inRetiring.filter((change) => change.change.actions.join() !== "delete").map((change) => change.address)).toEqual([]);
    const elsewhere = managed.filter((change) => !inRetiring.includes(change));
    expect(elsewhere.filter((change) => change.change.actions.includes("delete") || change.change.actions.includes("create")).map((change) => change.address)).toEqual([]);
    // Everything else stays or changes in place. (The flow-log role's narrower scope would be an
    // in-place update; the mocked policy documents here are constant, so it shows as no-op.)
    expect(elsewhere.filter((change) => !["no-op", "update"].includes(change.change.actions.join())).map((change) => change.address)).toEqual([]);
    expect(elsewhere.filter((change) => change.type === "aws_vpc").map((change) => [change.name.split("_")[0], change.change.actions.join()])).toEqual([
      ["network-us-east-1", "no-op"],
      ["network-us-west-2", "no-op"],
    ]);
  }, 240_000);

  test("dropping the region without retiring it fails the plan with Terraform's 'Provider configuration not present'", async () => {
    const failure = planAgainstDeployedState({ TAP_REGIONS: "us-east-1,us-west-2" });
    await expect(failure).rejects.toThrow(/Provider configuration not present/);
    await expect(failure).rejects.toThrow(new RegExp(`provider\\["registry\\.terraform\\.io/hashicorp/aws"\\]\\.${retiringRegion} is required`));
  }, 240_000);
});
