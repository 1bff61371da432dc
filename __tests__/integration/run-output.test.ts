import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";

const ROOT = join(__dirname, "..", "..");

/**
 * `npm run deploy` and `npm run diff` as far as they get without AWS: synth.js, then cdktf on the
 * result (the real CLI), with a `terraform` that fails at once, so cdktf stops at init.
 */
describe("npm run deploy | diff: each synth message once", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tap-run-output-"));
  const outdir = join(scratch, "cdktf.out");
  const fakeBin = join(scratch, "bin");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, "terraform"), "#!/bin/sh\necho \"terraform (stand-in) $*\" >&2\nexit 1\n");
  chmodSync(join(fakeBin, "terraform"), 0o755);
  const env = {
    PATH: [join(ROOT, "node_modules", ".bin"), fakeBin, dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    HOME: scratch,
    CHECKPOINT_DISABLE: "1",
    TAP_CONFIG: "",
    TAP_ACCOUNT_ID: "111122223333",
    // The state key a runner names (no bootstrap state here): the state bucket requires it of every write.
    TERRAFORM_STATE_KMS_KEY_ID: "arn:aws:kms:us-east-1:111122223333:key/0b7c1e4a-0000-4000-8000-000000000001",
    TAP_REGIONS: "us-east-1",
    TAP_GUARDRAIL_REGIONS: "us-east-1",
  };
  const run = (script: string, args: string[]) => {
    const result = spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
    // Without the colours and cursor moves of cdktf's spinner.
    return { status: result.status, output: `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "") };
  };
  const annotations = (output: string) => output.split("\n").filter((line) => /^(INFO|WARN|ERROR) \[/.test(line));

  test("synth prints the annotations; cdktf, run on its output, does not print them again, and the manifest keeps them", () => {
    const synth = run("scripts/synth.js", ["--output", outdir]);
    expect(synth.status).toBe(0);
    const printed = annotations(synth.output);
    expect(printed.length).toBeGreaterThan(0);
    const manifest = readFileSync(join(outdir, "manifest.json"), "utf8");

    const deploy = run("dist/scripts/cdktf-run.js", ["deploy", "--output", outdir]);
    expect(deploy.output).toContain("terraform (stand-in) init"); // cdktf got as far as Terraform
    expect(deploy.status).not.toBe(0);
    expect(annotations(deploy.output)).toEqual([]);
    // diff runs cdktf once per stack; it does not repeat them either.
    const diff = run("dist/scripts/cdktf-run.js", ["diff", "--output", outdir]);
    expect(diff.output).toContain("terraform (stand-in)");
    expect(annotations(diff.output)).toEqual([]);
    expect(readFileSync(join(outdir, "manifest.json"), "utf8")).toBe(manifest);
  }, 120_000);
});
