import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

// No emulator on this machine, whatever is installed: findEmulator finds none.
jest.mock("../../scripts/terraform/emulator", () => ({ ...jest.requireActual("../../scripts/terraform/emulator"), findEmulator: () => undefined }));

import { emulatorTerraformEnv, ensureEmulator, leftOutReport, parseTarget } from "../../scripts/emulator-target";
import { refuseTarget } from "../../scripts/cdktf-run";

describe("--target", () => {
  test("no target is AWS, as before; --target emulator and --target=emulator select the emulator; the other arguments stay in order", () => {
    expect(parseTarget("plan", ["tap", "--parallelism", "2"])).toEqual({ target: "aws", args: ["tap", "--parallelism", "2"] });
    expect(parseTarget("plan", ["--target", "emulator", "tap"])).toEqual({ target: "emulator", args: ["tap"] });
    expect(parseTarget("apply", ["--output", "out", "--target=emulator"])).toEqual({ target: "emulator", args: ["--output", "out"] });
    expect(parseTarget("drift", ["--target", "aws"])).toEqual({ target: "aws", args: [] });
  });

  test("an unknown target, or none after --target, is refused naming the targets", () => {
    expect(() => parseTarget("plan", ["--target", "localstack"])).toThrow(
      'unknown target "localstack"; the targets are aws (the default: the AWS account your credentials reach) and emulator (a local moto emulator that tap starts, no AWS account needed): npm run plan -- --target emulator',
    );
    expect(() => parseTarget("destroy", ["--target"])).toThrow("--target takes a target: npm run destroy -- --target emulator");
    expect(() => parseTarget("apply", ["--target="])).toThrow("--target takes a target");
  });

  test("deploy, diff and bootstrap have no target", () => {
    for (const command of ["deploy", "diff", "bootstrap"] as const) expect(() => refuseTarget(command, ["--target", "emulator"])).toThrow(`npm run ${command} has no --target`);
    expect(() => refuseTarget("destroy", ["--target", "emulator"])).not.toThrow();
    expect(() => refuseTarget("deploy", ["tap", "--auto-approve"])).not.toThrow();
  });
});

describe("the emulator target", () => {
  test("with no emulator installed: one message with the install hint, and nothing started or written", async () => {
    const folder = join(mkdtempSync(join(tmpdir(), "tap-no-emulator-")), "emulator");
    try {
      await expect(ensureEmulator(folder, () => undefined)).rejects.toThrow(
        "no AWS emulator found: set TAP_MOTO_SERVER to moto_server, put moto_server on PATH, or install it with pip install 'moto[server]==5.1.22'",
      );
      expect(existsSync(folder)).toBe(false);
    } finally {
      rmSync(join(folder, ".."), { recursive: true, force: true });
    }
  });

  test("Terraform gets fake keys and no profile, never the caller's", () => {
    expect(emulatorTerraformEnv("/x/cdktf.out/emulator")).toEqual({
      TF_CLI_CONFIG_FILE: "/x/cdktf.out/emulator/terraform.rc",
      AWS_PROFILE: "",
      AWS_ACCESS_KEY_ID: "AKIAFAKEFORTESTS0000",
      AWS_SECRET_ACCESS_KEY: "fake-secret-for-the-emulator",
      AWS_SESSION_TOKEN: "",
    });
  });

  test("the report names the controls left out, then each type with its count and moto's reason", () => {
    const lines = leftOutReport({
      resources: { tap: ["aws_securityhub_account.a", "aws_accessanalyzer_analyzer.b"], "tap-guardrails-1": ["aws_securityhub_account.c"] },
      controls: ["IAM.AccessAnalyzer", "SecurityHub.CisStandard"],
    });
    expect(lines).toEqual([
      "emulator: controls the emulator cannot apply: IAM.AccessAnalyzer, SecurityHub.CisStandard",
      "emulator: 3 resources of 2 types are left out on the emulator (moto cannot apply them); against AWS they are planned and applied with the rest:",
      "  aws_accessanalyzer_analyzer x1 (1 stack): moto has no IAM Access Analyzer API (CreateAnalyzer answers 500)",
      "  aws_securityhub_account x2 (2 stacks): moto answers EnableSecurityHub but not UpdateSecurityHubConfiguration, which the provider calls for enable_default_standards",
    ]);
    expect(leftOutReport({ resources: { tap: [] }, controls: [] })).toEqual(["emulator: every resource of the deployment is applied on the emulator"]);
  });
});
