import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseDriftArgs, runDrift, TerraformRunner } from "../../scripts/drift";

/** A terraform that answers the refresh-only plan's `show -json` with `plan`, recording each call. */
function fakeTerraform(plan: object, calls: string[][]): TerraformRunner {
  return async (args) => {
    calls.push(args);
    return args[0] === "show" ? JSON.stringify(plan) : "";
  };
}

const ROTATION_OFF = {
  resource_drift: [
    { address: "aws_kms_key.storage", mode: "managed", type: "aws_kms_key", change: { actions: ["update"], before: { enable_key_rotation: true }, after: { enable_key_rotation: false } } },
  ],
};

describe("npm run drift", () => {
  test("runs a refresh-only plan per stack (state untouched, no lock), reports each change with its rule and CIS item, exits 1 and writes JSON", async () => {
    const calls: string[][] = [];
    const lines: string[] = [];
    const jsonFile = join(mkdtempSync(join(tmpdir(), "tap-drift-test-")), "drift.json");
    const code = await runDrift(["prod-app", "dev-app"], { stacks: [], jsonFile }, (stack) => fakeTerraform(stack === "prod-app" ? ROTATION_OFF : {}, calls), (line) => lines.push(line));
    expect(code).toBe(1);
    expect(calls.filter((args) => args[0] === "plan").map((args) => args.slice(0, 5))).toEqual([
      ["plan", "-refresh-only", "-input=false", "-no-color", "-lock=false"],
      ["plan", "-refresh-only", "-input=false", "-no-color", "-lock=false"],
    ]);
    expect(lines).toEqual([
      "drift: prod-app: 1 change outside Terraform",
      "  prod-app: aws_kms_key.storage enable_key_rotation: true -> false [KMS.Rotation (CIS 3.6)]",
      "drift: dev-app: none",
    ]);
    const written = JSON.parse(readFileSync(jsonFile, "utf8"));
    expect(written.drift).toBe(true);
    expect(written.stacks).toEqual(["prod-app", "dev-app"]);
    expect(written.findings).toEqual([{ stack: "prod-app", address: "aws_kms_key.storage", type: "aws_kms_key", rule: "KMS.Rotation", change: "changed", attribute: "enable_key_rotation", before: true, after: false }]);
  });

  test("exits 0 when nothing drifted, and checks only the stacks named", async () => {
    const calls: string[][] = [];
    const checked: string[] = [];
    const code = await runDrift(["prod-app", "dev-app"], { stacks: ["dev-app"] }, (stack) => (checked.push(stack), fakeTerraform({}, calls)), () => undefined);
    expect(code).toBe(0);
    expect(checked).toEqual(["dev-app"]);
  });

  test("an unknown stack is named with the ones that exist, exit 2, nothing run", async () => {
    const lines: string[] = [];
    const code = await runDrift(["tap"], { stacks: ["tapp"] }, () => { throw new Error("must not run"); }, (line) => lines.push(line));
    expect(code).toBe(2);
    expect(lines).toEqual(["tap: drift: no stack tapp; the stacks are tap"]);
  });

  test("arguments: stacks and --json FILE; anything else is named", () => {
    expect(parseDriftArgs(["a", "--json", "out.json", "b"])).toEqual({ stacks: ["a", "b"], jsonFile: "out.json" });
    expect(() => parseDriftArgs(["--json"])).toThrow("--json needs a file name");
    expect(() => parseDriftArgs(["--yaml"])).toThrow("unknown option --yaml; expected --json FILE and stack names");
  });
});
