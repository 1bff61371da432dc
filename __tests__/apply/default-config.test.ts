import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

describeIfTier([APPLY_TIER], "apply tier: default configuration", () => {
  const emulated = useEmulatedDeployment({});

  test("applies everything the emulator supports, exactly as planned, with the tags and settings read back", async () => {
    await expectAppliedAsPlanned(emulated.deployment, emulated.deployed);
    console.log(`apply tier (default): ${emulated.deployed.planOnly.length} resources planned only (emulator-unsupported types)`);
  }, APPLY_TIMEOUT_MS);

  test("a second plan shows no changes", async () => {
    const deviations = await expectCleanReplan(emulated.deployment);
    console.log(`apply tier (default): second plan clean (${deviations} updates are the emulator's documented deviations)`);
  }, APPLY_TIMEOUT_MS);

  test("destroy leaves nothing in state", async () => {
    await emulated.deployment.destroy();
    expect(await emulated.deployment.stateList()).toEqual([]);
  }, APPLY_TIMEOUT_MS);
});
