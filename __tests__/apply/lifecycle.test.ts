import { EMULATOR_UNDELETABLE } from "../../scripts/terraform/emulator";
import { regionOfAddress } from "../../scripts/terraform/workdir";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

const CHANGED = { TAP_REGIONS: "us-east-1,us-west-2,eu-central-1,eu-west-1", TAP_TAGS: '{"CostCenter":"42"}', TAP_LOG_RETENTION_DAYS: "731" };
const RETIRED = { ...CHANGED, TAP_REGIONS: "us-east-1,us-west-2,eu-central-1", TAP_RETIRING_REGIONS: "eu-west-1" };
const KEPT_TYPES = ["aws_vpc", "aws_s3_bucket", "aws_kms_key"];

describeIfTier([APPLY_TIER], "apply tier: a deployment's lifecycle", () => {
  const emulated = useEmulatedDeployment({});

  test("a region added, tags and retention changed: creates only in the new region, updates in place elsewhere, replaces nothing", async () => {
    const { deployment } = emulated;
    const vpcsBefore = (await deployment.state()).filter((r) => r.type === "aws_vpc").map((r) => r.values.id);
    const deployed = await deployment.deploy(CHANGED);
    const changes = (deployed.appliedPlan.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.join() !== "no-op");
    expect(changes.filter((c) => c.change.actions.includes("delete")).map((c) => c.address)).toEqual([]);
    expect(changes.filter((c) => c.change.actions.includes("create") && regionOfAddress(c.address, "us-east-1") !== "eu-west-1").map((c) => c.address)).toEqual([]);
    expect(changes.filter((c) => KEPT_TYPES.includes(c.type) && c.change.actions.join() !== "update" && !c.address.includes("-eu-west-1_")).map((c) => c.address)).toEqual([]);
    const state = await expectAppliedAsPlanned(deployment, deployed);
    expect(state.filter((r) => r.type === "aws_vpc" && vpcsBefore.includes(r.values.id))).toHaveLength(3);
    await expectCleanReplan(deployment);
  }, APPLY_TIMEOUT_MS);

  test("retiring the region the supported way deletes exactly what it held, and the rest re-plans clean", async () => {
    const { deployment } = emulated;
    // Managed resources only; what the emulator cannot delete leaves state instead (see EMULATOR_UNDELETABLE).
    const held = (await deployment.stateList()).filter(
      (address) => !address.startsWith("data.") && regionOfAddress(address, "us-east-1") === "eu-west-1" && !(address.split(".")[0] in EMULATOR_UNDELETABLE),
    );
    const deployed = await deployment.deploy(RETIRED);
    const deleted = (deployed.appliedPlan.resource_changes ?? []).filter((c) => c.change.actions.includes("delete")).map((c) => c.address);
    expect(deleted.sort()).toEqual(held.sort());
    expect((await deployment.stateList()).filter((address) => regionOfAddress(address, "us-east-1") === "eu-west-1")).toEqual([]);
    await expectAppliedAsPlanned(deployment, deployed);
    await expectCleanReplan(deployment);
    await deployment.destroy();
    expect(await deployment.stateList()).toEqual([]);
  }, APPLY_TIMEOUT_MS);
});
