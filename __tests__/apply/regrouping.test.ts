import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { migrate, TerraformStateStore } from "../../scripts/migrate";
import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";
import { cliConfig, FAKE_AWS_ENV, findProviderSource, s3BackendInEmulator } from "../../scripts/terraform/workdir";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, describeReplan, useEmulatedDeployment } from "./deployment";

/**
 * A change of regionsPerStack after a deploy (#28 item 5), carried out by npm run migrate's code
 * on S3 state in the emulator. Two guarded regions without workload: with the default grouping
 * (3 per stack) both are in tap-guardrails-1; with 2 per stack, us-east-2 stays there and
 * us-west-1 goes to a new stack, tap-guardrails-2. Only the region stacks are deployed: the
 * account stack's part in them is its state's trail_bucket_name output (where AWS Config
 * delivers), which a stand-in state gives, and the state bucket is made directly in the emulator,
 * so the test stays within a few minutes.
 */
const ENV = {
  TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID,
  ENVIRONMENT_SUFFIX: "regroup",
  TAP_REGIONS: "us-east-1",
  TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1",
};
const REGROUPED = { ...ENV, TAP_REGIONS_PER_STACK: "2" };
const account = loadConfig(ENV, { file: null }).stacks[0];
const regrouped = loadConfig(REGROUPED, { file: null }).stacks[0];
const TRAIL_BUCKET = "tap-regroup-trail-stand-in";

describeIfTier([APPLY_TIER], "apply tier: regionsPerStack changed after a deploy, migrated without destroying or creating anything", () => {
  const emulated = useEmulatedDeployment();
  /** Each region's GuardDuty detectors and AWS Config recorders, as the emulator holds them. */
  const guardrailsIn = async (region: string) => ({
    region,
    detectors: (await emulated.deployment.awsRest("guardduty", "GET", "/detector", undefined, region)).detectorIds.sort(),
    recorders: (await emulated.deployment.awsJson("config", "StarlingDoveService.DescribeConfigurationRecorders", {}, region)).ConfigurationRecorders.map((recorder: { name: string }) => recorder.name).sort(),
  });
  let before: Awaited<ReturnType<typeof guardrailsIn>>[] = [];

  test("the groupings are as intended: one region stack with both regions, then us-west-1 in a stack of its own", () => {
    expect(account.regionStacks.map(({ stackName, regions }) => [stackName, regions])).toEqual([["tap-guardrails-1", ["us-east-2", "us-west-1"]]]);
    expect(regrouped.regionStacks.map(({ stackName, regions }) => [stackName, regions])).toEqual([
      ["tap-guardrails-1", ["us-east-2"]],
      ["tap-guardrails-2", ["us-west-1"]],
    ]);
  });

  test("deploy, regroup, migrate: every stack re-plans clean, and each region keeps the one detector and recorder it had", async () => {
    const { deployment } = emulated;
    const started = Date.now();
    const took: string[] = [];
    const lap = (step: string) => took.push(`${step} ${Math.round((Date.now() - started) / 1000)} s`);
    // State in S3, as after npm run bootstrap (the bucket only: its own settings are another test's).
    const bucket = account.backend.type === "s3" ? account.backend.bucket! : "";
    await deployment.useStateBucket(bucket);
    // The account stack's state as the region stacks read it: only where AWS Config delivers.
    const standIn = { version: 4, terraform_version: "1.11.0", serial: 1, lineage: "account-stack-stand-in", outputs: { trail_bucket_name: { value: TRAIL_BUCKET, type: "string" } }, resources: [] };
    expect([200, 204]).toContain((await deployment.s3("PUT", `${bucket}/${account.backend.type === "s3" ? account.backend.key : ""}`, JSON.stringify(standIn))).status);
    expect((await deployment.s3("PUT", TRAIL_BUCKET)).status).toBe(200);
    await deployment.deploy(ENV, "tap-guardrails-1");
    lap("deployed");
    before = [await guardrailsIn("us-east-2"), await guardrailsIn("us-west-1")];
    expect(before.map(({ detectors, recorders }) => [detectors.length, recorders.length])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    // Resources (a for_each resource once, whatever its instances), not the lookups, which stay behind.
    const resourcesIn = async (stackName: string) => [...new Set((await deployment.stateList(stackName)).filter((address) => !address.startsWith("data.")).map((address) => address.replace(/\[.*\]$/, "")))];
    const movedAddresses = (await resourcesIn("tap-guardrails-1")).filter((address) => address.includes("guardrails-us-west-1_"));

    // npm run migrate, on the regrouped synth, through Terraform against the emulator's S3.
    const outdir = mkdtempSync(join(tmpdir(), "tap-regroup-"));
    try {
      buildApp(loadConfig(REGROUPED, { file: null }), outdir).app.synth();
      const cliFile = join(outdir, "terraform.rc");
      writeFileSync(cliFile, cliConfig(findProviderSource()));
      const lines: string[] = [];
      const store = new TerraformStateStore(join(outdir, "migrate"), {
        adjust: (block: any) => (block.backend?.s3 ? { backend: { s3: s3BackendInEmulator(block.backend.s3, deployment.emulator.url) } } : block),
        // hashicorp/aws (which init installs for a state naming it) from the tiers' mirror.
        env: { ...FAKE_AWS_ENV, TF_CLI_CONFIG_FILE: cliFile },
      });
      const result = await migrate(outdir, store, (line) => lines.push(line));
      expect(result.plan.problems).toEqual([]);
      expect([...new Set(result.plan.moves.map(({ from, to, region }) => `${from} -> ${to}: ${region}`))]).toEqual(["tap-guardrails-1 -> tap-guardrails-2: us-west-1"]);
      expect(result.plan.moves.map((move) => move.address).sort()).toEqual(movedAddresses.sort());
      expect(result.pushed).toEqual(["tap-guardrails-2", "tap-guardrails-1"]);
      // A second run finds nothing left to move.
      expect((await migrate(outdir, store, () => undefined)).plan.moves).toEqual([]);
      lap("migrated");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }

    // Each stack's state holds its own regions only, and re-plans with no change.
    for (const { stackName, regions } of regrouped.regionStacks) {
      await deployment.prepare(REGROUPED, stackName);
      const held = await resourcesIn(stackName);
      expect({ stackName, regions: [...new Set(held.map((address) => /guardrails-([a-z]+-[a-z]+-\d)_/.exec(address)?.[1]))] }).toEqual({ stackName, regions });
      const changes = (await deployment.replan(stackName)).filter((change) => !change.deviation);
      expect({ stackName, changes: describeReplan(changes) }).toEqual({ stackName, changes: "" });
    }
    lap("re-planned");
    console.log(`apply tier: regrouping: ${took.join(", ")}`);
    // Nothing destroyed, nothing created twice: the same detector and recorder in each region.
    expect([await guardrailsIn("us-east-2"), await guardrailsIn("us-west-1")]).toEqual(before);
  }, APPLY_TIMEOUT_MS);
});
