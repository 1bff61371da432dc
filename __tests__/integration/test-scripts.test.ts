import { spawnSync } from "child_process";
import { readdirSync, readFileSync } from "fs";
import { join, relative } from "path";

const ROOT = join(__dirname, "..", "..");
/** Set in the runs this file starts: should a script select this file again, it must not start runs of its own. */
const NESTED = "TAP_TEST_SCRIPTS_NESTED";
const SCRIPTS: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;

/**
 * `npm run <script> -- <args>` as npm runs it, without the build in front of Jest: the script's
 * last command with the user's arguments appended. The environment is the caller's minus CI, so
 * a tier asked for or skipped behaves as on a developer's machine.
 */
function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  const command = SCRIPTS[script].split(" && ").at(-1)!;
  const { CI: _ci, TAP_REQUIRED_TIER: _required, TAP_TIER_DECISIONS: _decided, TAP_TEST_TMPDIR: _dir, TAP_TEST_TMPDIR_OWNER: _owner, ...inherited } = process.env;
  return spawnSync("sh", ["-c", `${command} "$@"`, script, ...args], { cwd: ROOT, env: { ...inherited, [NESTED]: "1", ...env }, encoding: "utf8", timeout: 120_000 });
}

/** The test files a script would run, relative to the checkout. */
function listed(script: string, args: string[] = []): string[] {
  const result = runScript(script, [...args, "--listTests"]);
  expect(result.status).toBe(0);
  return result.stdout.split("\n").filter((line) => line.endsWith(".ts")).map((file) => relative(ROOT, file));
}

const tierOf = (file: string) => /^__tests__\/(integration|terraform|apply)\//.exec(file)?.[1] ?? "unit";

(process.env[NESTED] ? describe.skip : describe)("npm test and npm run test:<tier>", () => {
  test("a path runs that one file: the README's `npm run test:unit -- <path>` and its like for each tier", () => {
    expect(listed("test:unit", ["__tests__/config/schema.test.ts"])).toEqual(["__tests__/config/schema.test.ts"]);
    expect(listed("test:integration", ["__tests__/integration/app.test.ts"])).toEqual(["__tests__/integration/app.test.ts"]);
    expect(listed("test:terraform", ["__tests__/terraform/bootstrap.test.ts"])).toEqual(["__tests__/terraform/bootstrap.test.ts"]);
    expect(listed("test:apply", ["__tests__/apply/production.test.ts"])).toEqual(["__tests__/apply/production.test.ts"]);
    // A pattern and Jest's own options work as with jest itself.
    const configFiles = readdirSync(join(ROOT, "__tests__", "config")).filter((file) => file.endsWith(".test.ts"));
    expect(listed("test:unit", ["__tests__/config/", "--testNamePattern", "anything"]).map(tierOf)).toEqual(configFiles.map(() => "unit"));
  }, 60_000);

  test("npm test without arguments runs the unit, integration and Terraform tiers, not the apply tier", () => {
    const tiers = new Set(listed("test").map(tierOf));
    expect([...tiers].sort()).toEqual(["integration", "terraform", "unit"]);
    expect(new Set(listed("test:unit").map(tierOf))).toEqual(new Set(["unit"]));
  }, 60_000);

  test("a tier asked for that cannot run fails once, saying why in one line, before any file runs", () => {
    // TAP_SKIP_APPLY_TESTS=1 makes the apply tier unable to run without looking for an emulator.
    const result = runScript("test:apply", [], { TAP_REQUIRED_TIER: "apply", TAP_SKIP_APPLY_TESTS: "1" });
    const output = result.stdout + result.stderr;
    expect(result.status).not.toBe(0);
    expect(output.match(/TAP_SKIP_APPLY_TESTS=1 is set/g)).toHaveLength(1);
    expect(output).toContain("apply tier: TAP_SKIP_APPLY_TESTS=1 is set; it was asked for (TAP_REQUIRED_TIER=apply), so it fails instead of skipping");
    expect(output).not.toMatch(/FAIL|at tierSkipReason|\|/); // no failed suite, stack or code frame
    expect(output.trim().split("\n").length).toBeLessThanOrEqual(3);
  }, 60_000);

  test("a tier that comes along (npm test) and cannot run is skipped, said once after the summary, and the run passes", () => {
    const result = runScript("test", ["__tests__/terraform/"], { TAP_SKIP_TERRAFORM_TESTS: "1", TAP_SKIP_APPLY_TESTS: "1" });
    const output = result.stdout + result.stderr;
    expect(result.status).toBe(0);
    expect(output.match(/TAP_SKIP_TERRAFORM_TESTS=1 is set/g)).toHaveLength(1);
    expect(output).toMatch(/Tests: +\d+ skipped, \d+ total/);
    expect(output.trim().split("\n").at(-1)).toMatch(/^\*\*\* Skipped \d+ test blocks: Terraform tier: TAP_SKIP_TERRAFORM_TESTS=1 is set\. This run proves less than CI/);
    expect(output).not.toContain("console.warn");
  }, 120_000);
});
