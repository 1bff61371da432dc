import { spawn } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { FAKE_EMULATOR, STAND_IN, stillRuns } from "./stand-ins";

const ROOT = join(__dirname, "..", "..");


/** The types moto cannot apply in the default deployment (EMULATOR_UNSUPPORTED), named here, not read back from it. */
const LEFT_OUT_TYPES = [
  "aws_accessanalyzer_analyzer",
  "aws_ebs_snapshot_block_public_access",
  "aws_ec2_image_block_public_access",
  "aws_guardduty_detector_feature",
  "aws_s3_account_public_access_block",
  "aws_securityhub_account",
  "aws_securityhub_standards_subscription",
  "aws_ssm_service_setting",
];

/** Every AWS service the default deployment calls: each must reach the emulator, none AWS. */
const SERVICES = ["accessanalyzer", "account", "apigateway", "cloudtrail", "cloudwatch", "configservice", "ec2", "events", "guardduty", "iam", "kms", "logs", "organizations", "s3", "s3control", "securityhub", "sns", "sts"];

describe("npm run plan / apply / drift / destroy -- --target emulator, with a stand-in terraform and emulator", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tap-emulator-target-"));
  const outdir = join(scratch, "cdktf.out");
  const folder = join(outdir, "emulator");
  const fake = join(scratch, "fake");
  const emu = join(scratch, "emu");
  const bin = join(scratch, "bin");
  const fakeMoto = join(scratch, "fake-moto");
  let emulatorPid: number | undefined;
  afterAll(() => {
    // Whatever a failed assertion left running: the stand-in emulator this test started (recorded by plan, also when an assertion failed before the test read the record).
    const recorded = existsSync(join(folder, "emulator.json")) ? (JSON.parse(readFileSync(join(folder, "emulator.json"), "utf8")).pid as number) : undefined;
    for (const pid of new Set([emulatorPid, recorded])) if (pid && stillRuns(pid)) process.kill(-pid, "SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });
  for (const dir of [bin, emu, join(fake, "plan-exit"), join(fake, "drift-exit"), join(fake, "plans"), join(fake, "state")]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(bin, "terraform"), STAND_IN);
  chmodSync(join(bin, "terraform"), 0o755);
  writeFileSync(fakeMoto, FAKE_EMULATOR);
  chmodSync(fakeMoto, 0o755);

  const env = (extra: Record<string, string> = {}) => ({
    PATH: [bin, dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    HOME: scratch,
    FAKE_TF: fake,
    FAKE_EMU: emu,
    TAP_CONFIG: "",
    TAP_MOTO_SERVER: fakeMoto,
    // A developer's own credentials and profile: none of it may reach Terraform on the emulator.
    AWS_ACCESS_KEY_ID: "AKIAREALKEYOFTHEUSER",
    AWS_SECRET_ACCESS_KEY: "real-secret-of-the-user",
    AWS_PROFILE: "production",
    ...extra,
  });
  // Not spawnSync: the stand-in emulator is a process of its own, but the tests must not block while it runs.
  const node = (script: string, args: string[], extra?: Record<string, string>) =>
    new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, env: env(extra), stdio: ["ignore", "pipe", "pipe"] });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("close", (status) => resolve({ status, output: Buffer.concat(chunks).toString("utf8") }));
    });
  const plan = (...args: string[]) => node("dist/scripts/plan.js", ["--output", outdir, ...args]);
  const apply = (...args: string[]) => node("dist/scripts/apply.js", ["--output", outdir, ...args]);
  const destroy = (...args: string[]) => node("dist/scripts/cdktf-run.js", ["destroy", "--output", outdir, ...args]);
  const lines = (file: string) => (existsSync(join(fake, file)) ? readFileSync(join(fake, file), "utf8").trim().split("\n").filter(Boolean) : []);
  const json = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), "utf8"));

  test("an unknown or missing target is refused with the targets named, before anything runs; deploy has no target", async () => {
    let run = await plan("--target", "staging");
    expect(run.status).toBe(1);
    expect(run.output).toContain('tap: plan: unknown target "staging"; the targets are aws (the default: the AWS account your credentials reach) and emulator (a local moto emulator that tap starts, no AWS account needed)');
    run = await apply("--target");
    expect(run.status).toBe(1);
    expect(run.output).toContain("tap: apply: --target takes a target: npm run apply -- --target emulator");
    run = await node("dist/scripts/drift.js", ["--target=aws-gov"]);
    expect(run.status).toBe(2);
    expect(run.output).toContain('tap: drift: unknown target "aws-gov"');
    run = await node("dist/scripts/cdktf-run.js", ["deploy", "--output", outdir, "--target", "emulator"]);
    expect(run.status).toBe(1);
    expect(run.output).toContain("tap: deploy: npm run deploy has no --target: on the emulator, run npm run plan -- --target emulator, then npm run apply -- --target emulator");
    expect(existsSync(folder)).toBe(false);
    expect(lines("calls.log")).toEqual([]);
  }, 60_000);

  test("plan starts the emulator and leaves it running; every provider, the backend and the remote states point at it, with fake keys; apply, then destroy stops it", async () => {
    expect((await node("scripts/synth.js", ["--output", outdir])).status).toBe(0);
    const realTap = readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json"), "utf8");

    // A first bootstrap on the emulator: the state bucket is not there yet; the bootstrap stack's apply leaves its local state, with the state key synth then reads.
    const stateKey = "arn:aws:kms:us-east-1:123456789012:key/0b7c1e4a-0000-4000-8000-000000000001";
    writeFileSync(join(fake, "bootstrap-outputs.json"), JSON.stringify({ state_bucket: "tap-tfstate-123456789012-us-east-1", state_region: "us-east-1", state_kms_key_arn: stateKey }));
    // A first deploy: tap's state is not in the emulator yet, so the region stacks wait for its apply.
    writeFileSync(join(emu, "missing"), "tap/dev/terraform.tfstate\ntap-tfstate-123456789012-us-east-1\n");
    writeFileSync(join(fake, "plan-exit", "tap"), "2");
    let run = await plan("--target", "emulator");
    expect(run.output).toMatch(/emulator: started moto 5\.1\.22 \(from TAP_MOTO_SERVER\) at http:\/\/127\.0\.0\.1:\d+, pid \d+/);
    expect(run.status).toBe(2);
    const record = json(folder, "emulator.json");
    emulatorPid = record.pid;
    // The plan has exited; the emulator, holding the deployment, has not.
    expect(stillRuns(record.pid)).toBe(true);
    expect(run.output).toContain("emulator: bootstrap: applying the bootstrap stack (the state bucket tap-tfstate-123456789012-us-east-1), as npm run bootstrap does");
    // Synthesized again once bootstrap wrote its state: every main stack's backend names the state key.
    for (const stack of ["tap", "tap-guardrails-1"]) expect(json(folder, "stacks", stack, "cdk.tf.json").terraform.backend.s3.kms_key_id).toBe(stateKey);
    expect(run.output).toContain("emulator: tap-guardrails-1: waits for tap to be applied (it reads its outputs from the state); the next npm run plan -- --target emulator plans it");
    expect(lines("calls.log").filter((line) => / plan /.test(line)).map((line) => line.split(" ")[0])).toEqual(["tap"]);
    expect(run.output).toContain("emulator: controls the emulator cannot apply: ");
    for (const control of ["IAM.AccessAnalyzer", "SecurityHub.CisStandard", "SecurityHub.FsbpStandard", "S3.AccountPublicAccessBlock", "EC2.SnapshotBlockPublicAccess"]) expect(run.output).toContain(control);
    expect(run.output).toMatch(/ {2}aws_securityhub_account x17 \(7 stacks\): moto answers EnableSecurityHub but not UpdateSecurityHubConfiguration/);

    // The wiring, stack by stack.
    const stacks = Object.keys(json(folder, "manifest.json").stacks);
    expect(stacks.sort()).toEqual(["bootstrap", "tap", "tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3", "tap-guardrails-4", "tap-guardrails-5", "tap-guardrails-6"]);
    for (const stack of stacks) {
      const config = json(folder, "stacks", stack, "cdk.tf.json");
      const override = json(folder, "stacks", stack, "tap_override.tf.json");
      expect({ stack, leftIn: LEFT_OUT_TYPES.filter((type) => config.resource?.[type]) }).toEqual({ stack, leftIn: [] });
      expect(override.provider.aws.map((provider: { alias: string }) => provider.alias)).toEqual(config.provider.aws.map((provider: { alias: string }) => provider.alias));
      for (const provider of override.provider.aws) {
        expect(Object.keys(provider.endpoints[0]).sort()).toEqual(SERVICES);
        expect(new Set(Object.values(provider.endpoints[0]))).toEqual(new Set([record.url]));
      }
      // Still pinned to the account, which the emulator answers as.
      for (const provider of config.provider.aws) expect(provider.allowed_account_ids).toEqual(["123456789012"]);
      if (stack === "bootstrap") {
        expect(override.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
        continue;
      }
      expect(override.terraform.backend.s3).toMatchObject({ bucket: "tap-tfstate-123456789012-us-east-1", endpoints: { s3: record.url }, use_path_style: true });
      for (const remote of Object.values<any>(override.data?.terraform_remote_state ?? {})) expect(remote.config.endpoints).toEqual({ s3: record.url });
      if (stack !== "tap") expect(Object.keys(override.data.terraform_remote_state)).toEqual(["account_stack"]);
    }
    // Every Terraform run got the fake keys, no profile and the tiers' provider source: never the caller's.
    const seen = lines("env.log").map((line) => JSON.parse(line));
    expect(seen.length).toBeGreaterThan(0);
    for (const call of seen) expect(call).toMatchObject({ AWS_ACCESS_KEY_ID: "AKIAFAKEFORTESTS0000", AWS_PROFILE: "", TF_CLI_CONFIG_FILE: join(folder, "terraform.rc") });
    // The real target's synthesized stacks are untouched.
    expect(readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json"), "utf8")).toBe(realTap);

    run = await apply("--target", "emulator");
    expect(run.status).toBe(0);
    expect(lines("applied.log")).toEqual(["tap"]);
    expect(run.output).toContain("emulator: next: npm run plan -- --target emulator plans tap-guardrails-1, tap-guardrails-2, tap-guardrails-3, tap-guardrails-4, tap-guardrails-5, tap-guardrails-6, which waited for this apply");

    // The same emulator again; tap's state is there now, so every stack is planned.
    rmSync(join(emu, "missing"));
    rmSync(join(fake, "plan-exit", "tap"));
    rmSync(join(fake, "calls.log"));
    run = await plan("--target", "emulator");
    expect(run.output).toContain(`emulator: reusing moto 5.1.22 at ${record.url} (pid ${record.pid},`);
    expect(run.status).toBe(0);
    expect(lines("calls.log").filter((line) => / plan /.test(line)).map((line) => line.split(" ")[0]).sort()).toEqual(stacks.filter((stack) => stack !== "bootstrap").sort());

    // destroy: the region stacks before tap, the bootstrap stack never (it goes with the emulator), then the emulator.
    run = await destroy("--target", "emulator");
    expect(run.status).toBe(0);
    const destroyed = lines("destroyed.log");
    expect(destroyed.sort()).toEqual(stacks.filter((stack) => stack !== "bootstrap").sort());
    expect(lines("destroyed.log").at(-1)).toBe("tap");
    expect(run.output).toContain(`emulator: stopped moto at ${record.url} (pid ${record.pid}); its deployment is gone with it`);
    const deadline = Date.now() + 5_000;
    while (stillRuns(record.pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    expect(stillRuns(record.pid)).toBe(false);
    expect(existsSync(folder)).toBe(false);
    expect(readFileSync(join(outdir, "stacks", "tap", "cdk.tf.json"), "utf8")).toBe(realTap);

    // Nothing running: apply says how to start, destroy has nothing to do.
    run = await apply("--target", "emulator");
    expect(run.status).toBe(1);
    expect(run.output).toContain(`tap: apply: no emulator is running for ${folder}: npm run plan -- --target emulator starts one and plans, before npm run apply -- --target emulator`);
    run = await destroy("--target", "emulator");
    expect(run.status).toBe(0);
    expect(run.output).toContain("emulator: none running; nothing to destroy");
  }, 300_000);
});
