import { APPLY_TIER, decideTiers, OptionalTier, TERRAFORM_TIER, tierSkipReason } from "./tiers";

describe("optional tiers", () => {
  const never: OptionalTier = { name: "test tier", skipReason: () => "its tool is missing" };

  test("a tier that can run gives no reason; one that cannot names itself and why", () => {
    expect(tierSkipReason([TERRAFORM_TIER], {})).toBeUndefined();
    expect(tierSkipReason([TERRAFORM_TIER], { TAP_SKIP_TERRAFORM_TESTS: "1" })).toBe("Terraform tier: TAP_SKIP_TERRAFORM_TESTS=1 is set");
    expect(tierSkipReason([TERRAFORM_TIER, never], {})).toBe("test tier: its tool is missing");
  });

  test("in CI a tier that cannot run fails instead of skipping", () => {
    expect(() => tierSkipReason([never], { CI: "true" })).toThrow("test tier: its tool is missing; skipping is not honoured in CI: the tier always runs there");
    expect(() => tierSkipReason([TERRAFORM_TIER], { CI: "true", TAP_SKIP_TERRAFORM_TESTS: "1" })).toThrow(/not honoured in CI/);
  });

  test("a tier asked for directly (npm run test:apply, test:terraform) fails instead of skipping, with the reason", () => {
    expect(() => tierSkipReason([APPLY_TIER], { TAP_REQUIRED_TIER: "apply", TAP_SKIP_APPLY_TESTS: "1" })).toThrow(
      "apply tier: TAP_SKIP_APPLY_TESTS=1 is set; it was asked for (TAP_REQUIRED_TIER=apply), so it fails instead of skipping",
    );
    expect(() => tierSkipReason([TERRAFORM_TIER], { TAP_REQUIRED_TIER: "terraform", TAP_SKIP_TERRAFORM_TESTS: "1" })).toThrow(/it was asked for/);
    // Asking for one tier does not make another one mandatory.
    expect(tierSkipReason([TERRAFORM_TIER], { TAP_REQUIRED_TIER: "apply", TAP_SKIP_TERRAFORM_TESTS: "1" })).toBe("Terraform tier: TAP_SKIP_TERRAFORM_TESTS=1 is set");
  });

  test("the apply tier is skipped only when asked to or without an emulator", () => {
    expect(tierSkipReason([APPLY_TIER], { TAP_SKIP_APPLY_TESTS: "1" })).toBe("apply tier: TAP_SKIP_APPLY_TESTS=1 is set");
    expect(tierSkipReason([APPLY_TIER], { TAP_MOTO_SERVER: process.execPath })).toBeUndefined();
  });

  describe("decided once per run (the tier projects' globalSetup)", () => {
    const counted = (reason: string | undefined) => {
      const tier = { name: "counted tier", id: "counted", asked: 0, skipReason: () => (tier.asked++, reason) };
      return tier;
    };

    test("each tier is asked once, however many projects decide it; the decision travels in the environment", () => {
      const env: NodeJS.ProcessEnv = {};
      const missing = counted("its tool is missing");
      const present = counted(undefined);
      decideTiers([missing], env);
      decideTiers([missing, { ...present, name: "present tier" }], env);
      expect(missing.asked).toBe(1);
      expect(JSON.parse(env.TAP_TIER_DECISIONS!)).toEqual({ "counted tier": "counted tier: its tool is missing", "present tier": null });
    });

    test("a tier that must run and cannot stops the run at the decision (in CI, or asked for), once", () => {
      const missing = counted("its tool is missing");
      expect(() => decideTiers([missing], { CI: "true" })).toThrow("counted tier: its tool is missing; skipping is not honoured in CI");
      expect(() => decideTiers([missing], { TAP_REQUIRED_TIER: "counted" })).toThrow("it was asked for (TAP_REQUIRED_TIER=counted)");
    });
  });
});
