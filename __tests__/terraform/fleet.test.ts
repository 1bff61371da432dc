import { APPLY_TIER, describeIfTier, TERRAFORM_TIER } from "../tiers";
import { join } from "path";
import { loadConfig } from "../../src/app/load-config";
import type { StackConfig } from "../../src/config/model";
import { findEmulator, projectRoot, RunningEmulator, startEmulator } from "../../scripts/terraform/emulator";
import { findProviderSource, regionOfAddress, TerraformWorkdir, declaredAddress } from "../../scripts/terraform/workdir";
import { intendedCounts } from "../intended-resources";

const FLEET_FILE = join(projectRoot(), "examples", "fleet.tap.config.json");
const TIMEOUT_MS = 300_000;

// A real plan of each account's stack: its providers assume the account's role (the emulator's
// STS answers with credentials of that account) and check the account against allowed_account_ids.
describeIfTier([TERRAFORM_TIER, APPLY_TIER], "Terraform tier: a two-account fleet", () => {
  const config = loadConfig({}, { file: FLEET_FILE });
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator(findEmulator()!);
  });
  afterAll(async () => emulator?.stop());

  test("the sample fleet file makes one stack per account, each with its own state key", () => {
    expect(config.stacks.map((stack) => [stack.stackName, stack.account?.id, stack.backend])).toEqual([
      ["prod-app", "111111111111", { type: "s3", bucket: "acme-state", key: "tap/prod-app/terraform.tfstate", region: "eu-west-1" }],
      ["dev-app", "222222222222", { type: "s3", bucket: "acme-state", key: "tap/dev-app/terraform.tfstate", region: "eu-west-1" }],
    ]);
  });

  test.each(["prod-app", "dev-app"])("%s: every resource is bound to a provider of its own region that assumes the account's role and allows only that account", async (name) => {
    const stack = config.stacks.find((s) => s.stackName === name) as StackConfig;
    const workdir = TerraformWorkdir.synthesize(config, findProviderSource(), { stackName: name, emulatorUrl: emulator.url });
    try {
      await workdir.init();
      const bindings = await workdir.validate();
      const { json: plan } = await workdir.planToJson();
      const providers = (plan.configuration as any).provider_config as Record<string, { alias?: string; expressions: any }>;
      for (const { region } of stack.regions) {
        expect(providers[`aws.${region}`].expressions).toMatchObject({
          region: { constant_value: region },
          allowed_account_ids: { constant_value: [stack.account!.id] },
          assume_role: [{ role_arn: { constant_value: stack.account!.roleArn } }],
        });
      }
      const managed = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
      expect(managed.filter((c) => bindings.get(declaredAddress(c.address)) !== regionOfAddress(c.address, stack.homeRegion.region)).map((c) => c.address)).toEqual([]);
      for (const { region } of stack.regions) {
        const counts: Record<string, number> = {};
        for (const c of managed.filter((c) => regionOfAddress(c.address, stack.homeRegion.region) === region)) counts[c.type] = (counts[c.type] ?? 0) + 1;
        expect({ region, counts }).toEqual({ region, counts: intendedCounts(stack, region) });
      }
      // The account id is static in a fleet: bucket names are known at plan time.
      expect(managed.filter((c) => c.type === "aws_s3_bucket").every((c) => c.change.after.bucket.endsWith(`-${stack.account!.id}`))).toBe(true);
    } finally {
      workdir.dispose();
    }
  }, TIMEOUT_MS);

  test("a provider pointed at another account's role refuses to plan (allowed_account_ids)", async () => {
    const workdir = TerraformWorkdir.synthesize(config, findProviderSource(), { stackName: "dev-app", emulatorUrl: emulator.url });
    try {
      const stack = JSON.parse(require("fs").readFileSync(join(workdir.dir, "cdk.tf.json"), "utf8"));
      for (const provider of stack.provider.aws) provider.assume_role[0].role_arn = "arn:aws:iam::111111111111:role/TapDeploy";
      workdir.replaceStack(JSON.stringify(stack));
      await workdir.init();
      await expect(workdir.planToJson()).rejects.toThrow(/AWS account ID not allowed: 111111111111/);
    } finally {
      workdir.dispose();
    }
  }, TIMEOUT_MS);
});
