import { describeStacks } from "../../src/app/summary";
import { loadConfig } from "../../src/config/load";

describe("synth summary", () => {
  test("names the singletons the owner adopts and those it leaves to others", () => {
    const [line] = describeStacks(loadConfig({ TAP_SINGLETONS: "awsConfig=adopt;configServiceRole=adopt;guardDuty=external" }, { file: null }));
    expect(line).toContain("account settings: managed here (trail, alarms, guardrails; GuardDuty, Security Hub, AWS Config; adopting configServiceRole, awsConfig; external: guardDuty)");
  });

  test("says nothing of singletons when every one is created", () => {
    const [line] = describeStacks(loadConfig({}, { file: null }));
    expect(line).toContain("account settings: managed here (trail, alarms, guardrails; GuardDuty, Security Hub, AWS Config);");
  });
});
