import { isRunning } from "../../scripts/terraform/emulator";
import { APPLY_TIMEOUT_MS, applyTierEnabled, Deployed, EmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

(applyTierEnabled() ? describe : describe.skip)("apply tier: default configuration", () => {
  let deployment: EmulatedDeployment;
  let deployed: Deployed;

  beforeAll(async () => {
    deployment = await EmulatedDeployment.start();
    deployed = await deployment.deploy({});
  }, APPLY_TIMEOUT_MS);
  afterAll(async () => {
    const pid = deployment?.emulator.pid;
    await deployment?.stop();
    if (pid) expect(isRunning(pid)).toBe(false);
  });

  test("applies everything the emulator supports, exactly as planned, with the tags and settings read back", async () => {
    await expectAppliedAsPlanned(deployment, deployed);
    console.log(`apply tier (default): ${deployed.planOnly.length} resources planned only (emulator-unsupported types)`);
  }, APPLY_TIMEOUT_MS);

  test("a second plan shows no changes", async () => {
    const deviations = await expectCleanReplan(deployment);
    console.log(`apply tier (default): second plan clean (${deviations} updates are the emulator's documented deviations)`);
  }, APPLY_TIMEOUT_MS);

  test("destroy leaves nothing in state", async () => {
    await deployment.destroy();
    expect(await deployment.stateList()).toEqual([]);
  }, APPLY_TIMEOUT_MS);
});
