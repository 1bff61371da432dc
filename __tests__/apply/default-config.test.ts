import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EMULATOR_RECORD, emulatorFolder, runOnEmulator } from "../../scripts/emulator-target";
import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { APPLY_TIMEOUT_MS, useEmulatedDeployment } from "./deployment";
import { expectAppliedAsPlanned, expectCleanReplan } from "./expectations";

/** The defaults, with the account named so that its state bucket is: bootstrapped first, then the stack keeps its state there. */
const DEFAULT_ENV = { TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID };
const STATE_KEY = "tap/dev/terraform.tfstate";
/** The default guarded regions (every supported one) but the last, ap-southeast-2: tap-guardrails-6 holds it, alone of the stacks. */
const GUARDED_BUT_ONE = "us-east-1,us-west-2,eu-central-1,us-east-2,us-west-1,ca-central-1,sa-east-1,eu-west-1,eu-west-2,eu-west-3,eu-north-1,ap-south-1,ap-northeast-1,ap-northeast-2,ap-northeast-3,ap-southeast-1";
const MAIN_STACKS = ["tap", "tap-guardrails-1", "tap-guardrails-2", "tap-guardrails-3", "tap-guardrails-4", "tap-guardrails-5", "tap-guardrails-6"];

describeIfTier([APPLY_TIER], "apply tier: default configuration, on bootstrapped S3 state", () => {
  const emulated = useEmulatedDeployment(DEFAULT_ENV, { bootstrap: true });

  test("applies everything the emulator supports, exactly as planned, with the tags and settings read back", async () => {
    await expectAppliedAsPlanned(emulated.deployment, emulated.deployed);
    console.log(`apply tier (default): ${emulated.deployed.planOnly.length} resources planned only (emulator-unsupported types)`);
  }, APPLY_TIMEOUT_MS);

  test("a second plan shows no changes", async () => {
    const deviations = await expectCleanReplan(emulated.deployment);
    console.log(`apply tier (default): second plan clean (${deviations} updates are the emulator's documented deviations)`);
  }, APPLY_TIMEOUT_MS);

  test("bootstrap made the state bucket (versioned, SSE-KMS), and the stack keeps its state there, under the state key, as its real S3 backend, not locally", async () => {
    const { deployment, bootstrapped } = emulated;
    expect(bootstrapped.bucket).toBe(`tap-tfstate-${EMULATOR_ACCOUNT_ID}-us-east-1`);
    // The bucket's policy is already lifted for Terraform's backend (EMULATOR_PLAIN_HTTP).
    const versioning = await (await deployment.s3("GET", `${bootstrapped.bucket}?versioning`)).text();
    const encryption = await (await deployment.s3("GET", `${bootstrapped.bucket}?encryption`)).text();
    const state = await deployment.s3("GET", `${bootstrapped.bucket}/${STATE_KEY}`);
    expect(versioning).toContain("<Status>Enabled</Status>");
    expect(encryption).toContain("<SSEAlgorithm>aws:kms</SSEAlgorithm>");
    expect(state.status).toBe(200);
    // Under the state key bootstrap made, which synth read from bootstrap's local state: not SSE-S3,
    // which Terraform's backend asks for when it is given no key (the bucket's policy refuses that).
    expect(state.headers.get("x-amz-server-side-encryption")).toBe("aws:kms");
    expect(state.headers.get("x-amz-server-side-encryption-aws-kms-key-id")).toBe(bootstrapped.stateKeyArn);
    expect(bootstrapped.stateKeyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    const held = JSON.parse(await state.text());
    expect(held.resources.length).toBeGreaterThan(100);
    expect(existsSync(join(deployment.stackWorkdir.dir, "terraform.tfstate"))).toBe(false);
  }, APPLY_TIMEOUT_MS);

  test("the S3 lock file locks state: a plan waits on a held lock and fails, and runs once it is released", async () => {
    const { deployment, bootstrapped } = emulated;
    const lock = `${bootstrapped.bucket}/${STATE_KEY}.tflock`;
    const held = JSON.stringify({ ID: "7c0e5a0e-0000-4000-8000-000000000001", Operation: "OperationTypeApply", Who: "someone@elsewhere", Version: "1.11.4", Created: new Date().toISOString(), Path: lock });
    expect((await deployment.s3("PUT", lock, held)).status).toBe(200);
    await expect(deployment.stackWorkdir.run(["plan", "-input=false", "-no-color", "-lock-timeout=0s"])).rejects.toThrow(/Error acquiring the state lock[\s\S]*someone@elsewhere/);
    expect((await deployment.s3("DELETE", lock)).status).toBe(204);
    await deployment.stackWorkdir.run(["plan", "-input=false", "-no-color", "-lock-timeout=0s"]);
  }, APPLY_TIMEOUT_MS);

  test("only what changed (--target emulator): after plan and apply, a no-change run skips every stack; a guarded region added plans only its stack, EBS encryption turned off by hand only its region's", async () => {
    const { deployment } = emulated;
    const started = Date.now();
    const outdir = mkdtempSync(join(tmpdir(), "tap-only-what-changed-"));
    const folder = emulatorFolder(outdir);
    // npm run plan -- --target emulator reuses the emulator its folder records: this test's, which holds tap already.
    mkdirSync(folder, { recursive: true });
    const record = { pid: deployment.emulator.pid, url: deployment.emulator.url, version: deployment.emulator.version, source: "the apply tier", startedAt: new Date().toISOString() };
    writeFileSync(join(folder, EMULATOR_RECORD), JSON.stringify(record));
    // And the bootstrap stack's local state, as npm run bootstrap leaves it: synth reads the state key there, which the state bucket requires.
    mkdirSync(join(folder, "stacks", "bootstrap"), { recursive: true });
    copyFileSync(join(emulated.bootstrapped.workdir.dir, "terraform.tfstate"), join(folder, "stacks", "bootstrap", "terraform.tfstate"));
    /** `guarded`: TAP_GUARDRAIL_REGIONS, or undefined for the default. */
    const run = async (command: "plan" | "apply", guarded?: string) => {
      const lines: string[] = [];
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, TAP_CONFIG: "", ...(guarded ? { TAP_GUARDRAIL_REGIONS: guarded } : {}) };
      // Plans two stacks at a time; applies one at a time (two applies side by side made the provider meet its own earlier attempts).
      const code = await runOnEmulator(command, ["--output", outdir, "--parallelism", command === "plan" ? "2" : "1"], (line) => lines.push(line), env);
      return { code, output: lines.join("\n") };
    };
    const skipped = (output: string) => MAIN_STACKS.filter((stack) => new RegExp(`^plan: ${stack}: skipped, inputs unchanged since .*a refresh-only check found no drift`, "m").test(output));
    try {
      // The first plan and apply through the emulator target: tap (applied by this file already) and the six region stacks.
      let step = await run("plan", GUARDED_BUT_ONE);
      expect({ code: step.code, waiting: step.output.match(/waits for/g) }).toEqual({ code: 2, waiting: null });
      step = await run("apply", GUARDED_BUT_ONE);
      expect({ code: step.code, failed: step.output.split("\n").filter((line) => /exited with|refused/.test(line)) }).toEqual({ code: 0, failed: [] });
      for (const stack of MAIN_STACKS) expect(existsSync(join(folder, "stacks", stack, "in-sync.json"))).toBe(true);

      // Nothing changed: every stack skipped, each after a refresh-only check, with the reason shown.
      step = await run("plan", GUARDED_BUT_ONE);
      expect({ code: step.code, skipped: skipped(step.output) }).toEqual({ code: 0, skipped: MAIN_STACKS });

      // ap-southeast-2 guarded again (the default): only tap-guardrails-6's configuration changes. In
      // ca-central-1 (tap-guardrails-2), EBS default encryption is turned off by hand: that stack's drift check finds it.
      await deployment.awsQuery("ec2", "2016-11-15", { Action: "DisableEbsEncryptionByDefault" }, "ca-central-1");
      step = await run("plan");
      expect({ code: step.code, skipped: skipped(step.output) }).toEqual({ code: 2, skipped: ["tap", "tap-guardrails-1", "tap-guardrails-3", "tap-guardrails-4", "tap-guardrails-5"] });
      const review = (stack: string) => readFileSync(join(folder, "stacks", stack, "plan-review.md"), "utf8");
      expect(review("tap-guardrails-2")).toContain("a refresh-only check found drift");
      const changes = (stack: string) =>
        (JSON.parse(readFileSync(join(folder, "stacks", stack, "plan.json"), "utf8")).resource_changes ?? [])
          .filter((change: any) => change.mode === "managed" && change.change.actions.join() !== "no-op")
          .map((change: any) => `${change.change.actions.join("/")} ${change.type}${change.change.actions.includes("create") ? "" : ` ${JSON.stringify(change.change.before?.enabled)}->${JSON.stringify(change.change.after?.enabled)}`}`);
      expect(changes("tap-guardrails-2")).toEqual(["update aws_ebs_encryption_by_default false->true"]);
      expect(changes("tap-guardrails-6").every((change: string) => change.startsWith("create "))).toBe(true);
      expect(changes("tap-guardrails-6")).toContain("create aws_ebs_encryption_by_default");
      console.log(`apply tier (default): only what changed, through npm run plan/apply -- --target emulator: ${Math.round((Date.now() - started) / 1000)} s`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, APPLY_TIMEOUT_MS * 2);

  test("drift: none on the untouched deployment; exactly the three controls changed behind Terraform's back, each by its rule", async () => {
    const { deployment } = emulated;
    expect(await deployment.drift("tap")).toEqual([]);
    const state = await deployment.state();
    const at = (type: string, pattern: RegExp) => {
      const found = state.filter((resource) => resource.type === type && pattern.test(resource.address));
      if (found.length !== 1) throw new Error(`expected one ${type} matching ${pattern}, found ${found.map((r) => r.address).join(", ") || "none"}`);
      return found[0];
    };
    const key = at("aws_kms_key", /^aws_kms_key\.storage-us-east-1_/);
    const versioning = at("aws_s3_bucket_versioning", /^aws_s3_bucket_versioning\.storage-us-east-1_data_/);
    const trail = at("aws_cloudtrail", /./);
    // Behind Terraform's back, through the AWS APIs: key rotation off, versioning suspended, the trail stopped.
    await deployment.awsJson("kms", "TrentService.DisableKeyRotation", { KeyId: key.values.key_id });
    await deployment.withBucketPolicyLifted(versioning.values.bucket, async () => {
      const response = await deployment.s3("PUT", `${versioning.values.bucket}?versioning`, '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>');
      expect(response.status).toBe(200);
    });
    await deployment.awsJson("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StopLogging", { Name: trail.values.arn });
    const drifted = await deployment.drift("tap");
    expect(drifted.map((finding) => [finding.address, finding.rule, finding.attribute, finding.before, finding.after])).toEqual([
      [trail.address, "CloudTrail.MultiRegionTrail", "enable_logging", true, false],
      [key.address, "KMS.Rotation", "enable_key_rotation", true, false],
      [versioning.address, "S3.Versioning", "versioning_configuration[0].status", "Enabled", "Suspended"],
    ]);
  }, APPLY_TIMEOUT_MS);

  test("destroy leaves nothing in state", async () => {
    await emulated.deployment.destroy();
    expect(await emulated.deployment.stateList()).toEqual([]);
  }, APPLY_TIMEOUT_MS);

  test("the bootstrap stack refuses to be destroyed (prevent_destroy): the state bucket outlives the stacks it serves", async () => {
    const { bootstrapped } = emulated;
    await expect(bootstrapped.workdir.destroy()).rejects.toThrow(/Instance cannot be destroyed/);
    expect((await bootstrapped.workdir.stateList()).filter((address) => address.startsWith("aws_s3_bucket."))).toHaveLength(2);
  }, APPLY_TIMEOUT_MS);
});
