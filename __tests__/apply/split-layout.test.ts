import { EMULATOR_ACCOUNT_ID, EMULATOR_UNSUPPORTED } from "../../scripts/terraform/emulator";
import { loadConfig } from "../../src/app/load-config";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { intendedGuardrailCounts } from "../intended-resources";
import { APPLY_TIMEOUT_MS, Deployed, describeReplan, useEmulatedDeployment } from "./deployment";

/**
 * A small split layout (#19): one workload region in the account stack, three more guarded
 * regions in two region stacks (us-east-2 and us-west-1, then ca-central-1), all on the
 * bootstrapped S3 backend in the emulator, each stack with its own state object.
 */
const ENV = {
  TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID,
  ENVIRONMENT_SUFFIX: "split",
  TAP_REGIONS: "us-east-1",
  TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1,ca-central-1",
};
const account = loadConfig(ENV, { file: null }).stacks[0];
/** What a guarded region without workload holds (RegionalGuardrails, from the specification), by type. */
const REGION_GUARDRAIL_COUNTS = intendedGuardrailCounts(account, { regionKey: false });
const REGION_GUARDRAIL_TYPES = Object.keys(REGION_GUARDRAIL_COUNTS).sort();

describeIfTier([APPLY_TIER], "apply tier: split layout, an account stack and its region stacks on S3 state", () => {
  const emulated = useEmulatedDeployment(ENV, { bootstrap: true });
  const regional = new Map<string, Deployed>();

  test("the configuration splits as intended: two region stacks, each with its own state key", () => {
    expect(account.regionStacks.map(({ stackName, regions, backend }) => [stackName, regions, backend.type === "s3" && backend.key])).toEqual([
      ["tap-guardrails-1", ["us-east-2", "us-west-1"], "tap/split/guardrails-1/terraform.tfstate"],
      ["tap-guardrails-2", ["ca-central-1"], "tap/split/guardrails-2/terraform.tfstate"],
    ]);
  });

  test("after the account stack, each region stack applies, reading the trail bucket from the account stack's state in S3", async () => {
    const { deployment, bootstrapped } = emulated;
    const trailBucket = (await deployment.state()).find((resource) => resource.type === "aws_s3_bucket" && resource.address.includes("audit-trail"))!.values.bucket;
    for (const { stackName, regions, backend } of account.regionStacks) {
      const deployed = await deployment.deploy(ENV, stackName);
      regional.set(stackName, deployed);
      const planned = (deployed.fullPlan.resource_changes ?? []).filter((change) => change.mode === "managed");
      expect([...new Set(planned.map((change) => change.type))].sort()).toEqual(REGION_GUARDRAIL_TYPES);
      // Most types once per region; GuardDuty's protection-plan features six times.
      expect(planned).toHaveLength(Object.values(REGION_GUARDRAIL_COUNTS).reduce((sum, count) => sum + count, 0) * regions.length);
      const state = await deployment.state(stackName);
      const applied = REGION_GUARDRAIL_TYPES.filter((type) => !(type in EMULATOR_UNSUPPORTED));
      expect(state.map((resource) => resource.type).sort()).toEqual(applied.flatMap((type) => regions.map(() => type)).sort());
      // The cross-stack reference, resolved by terraform_remote_state from the emulator's S3.
      const channels = state.filter((resource) => resource.type === "aws_config_delivery_channel").map((resource) => resource.values.s3_bucket_name);
      expect(channels).toEqual(regions.map(() => trailBucket));
      const held = await deployment.s3("GET", `${bootstrapped.bucket}/${backend.type === "s3" ? backend.key : ""}`);
      expect(held.status).toBe(200);
      expect(JSON.parse(await held.text()).resources.length).toBeGreaterThan(0);
    }
  }, APPLY_TIMEOUT_MS);

  test("every stack re-plans clean", async () => {
    for (const stackName of [account.stackName, ...account.regionStacks.map((stack) => stack.stackName)]) {
      const changes = (await emulated.deployment.replan(stackName)).filter((change) => !change.deviation);
      expect({ stackName, changes: describeReplan(changes) }).toEqual({ stackName, changes: "" });
    }
  }, APPLY_TIMEOUT_MS);

  test("destroy in reverse order, region stacks first, leaves nothing in any state", async () => {
    const order = [...account.regionStacks.map((stack) => stack.stackName).reverse(), account.stackName];
    for (const stackName of order) {
      await emulated.deployment.destroy(stackName);
      expect({ stackName, state: await emulated.deployment.stateList(stackName) }).toEqual({ stackName, state: [] });
    }
  }, APPLY_TIMEOUT_MS);
});
