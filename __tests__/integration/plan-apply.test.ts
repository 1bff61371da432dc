import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { STAND_IN } from "./stand-ins";

const ROOT = join(__dirname, "..", "..");

describe("npm run plan and npm run apply, with a stand-in terraform", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tap-plan-apply-"));
  const outdir = join(scratch, "cdktf.out");
  const fake = join(scratch, "fake");
  const bin = join(scratch, "bin");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  for (const folder of [bin, join(fake, "plan-exit"), join(fake, "drift-exit"), join(fake, "plans"), join(fake, "state")]) mkdirSync(folder, { recursive: true });
  writeFileSync(join(bin, "terraform"), STAND_IN);
  chmodSync(join(bin, "terraform"), 0o755);

  const env = (extra: Record<string, string> = {}) => ({
    PATH: [bin, dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    HOME: scratch,
    FAKE_TF: fake,
    TAP_CONFIG: "",
    TAP_ACCOUNT_ID: "111122223333",
    // The state key a runner names (no bootstrap state here): the state bucket requires it of every write.
    TERRAFORM_STATE_KMS_KEY_ID: "arn:aws:kms:us-east-1:111122223333:key/0b7c1e4a-0000-4000-8000-000000000001",
    TAP_REGIONS: "us-east-1",
    TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2,us-west-1,eu-west-1,eu-west-2",
    TAP_PROTECT_DATA: "true",
    ...extra,
  });
  const node = (script: string, args: string[], extra?: Record<string, string>) => {
    const result = spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, env: env(extra), encoding: "utf8", timeout: 120_000 });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const synth = (extra?: Record<string, string>) => expect(node("scripts/synth.js", ["--output", outdir], extra).status).toBe(0);
  const plan = (...args: string[]) => node("dist/scripts/plan.js", ["--output", outdir, ...args]);
  const apply = (...args: string[]) => node("dist/scripts/apply.js", ["--output", outdir, ...args]);
  const applied = () => (existsSync(join(fake, "applied.log")) ? readFileSync(join(fake, "applied.log"), "utf8").trim().split("\n") : []);
  const stackFile = (stack: string, file: string) => join(outdir, "stacks", stack, file);

  test("exit codes 0 / 2 / 1, the review, a stale plan refused, only changed stacks applied in dependency order", () => {
    synth();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    const guardrails = Object.keys(manifest.stacks).filter((name) => name.startsWith("tap-guardrails-"));
    expect(guardrails.length).toBeGreaterThanOrEqual(2);
    expect(guardrails.every((name) => manifest.stacks[name].dependencies.includes("tap"))).toBe(true);
    const [unchanged, changed] = guardrails;
    const config = JSON.parse(readFileSync(stackFile("tap", "cdk.tf.json"), "utf8"));
    const bucket = Object.keys(config.resource.aws_s3_bucket).find((name) => name.includes("data") && config.resource.aws_s3_bucket[name].lifecycle?.prevent_destroy);
    expect(bucket).toBeDefined();

    // 0: no stack changes. The bootstrap stack is not planned unless named.
    let run = plan();
    expect(run.output).toContain(`plan: ${unchanged}: no changes (needs no approval)`);
    expect(run.status).toBe(0);
    expect(readFileSync(join(fake, "calls.log"), "utf8")).not.toMatch(/^bootstrap /m);
    expect(readFileSync(stackFile("tap", "plan-review.md"), "utf8")).toContain("No changes. Needs no approval");
    run = apply();
    expect(run.status).toBe(0);
    expect(run.output).toContain("apply: no stack has changes to apply");
    expect(applied()).toEqual([]);

    // 2: tap replaces its protected data bucket; one guardrail stack creates a detector; the other has none.
    writeFileSync(join(fake, "state", "tap.json"), JSON.stringify({ version: 4, serial: 3, lineage: "tap-lineage" }));
    writeFileSync(join(fake, "plan-exit", "tap"), "2");
    writeFileSync(join(fake, "plan-exit", changed), "2");
    const replace = { address: `aws_s3_bucket.${bucket}`, mode: "managed", type: "aws_s3_bucket", name: bucket, change: { actions: ["delete", "create"], replace_paths: [["bucket"]] } };
    const rotation = { address: "aws_kms_key.k", mode: "managed", type: "aws_kms_key", name: "k", change: { actions: ["update"], before: { enable_key_rotation: true }, after: { enable_key_rotation: false } } };
    writeFileSync(join(fake, "plans", "tap.json"), JSON.stringify({ resource_changes: [rotation, replace] }));
    const detector = { address: "aws_guardduty_detector.d", mode: "managed", type: "aws_guardduty_detector", name: "d", change: { actions: ["create"], after: { enable: true } } };
    writeFileSync(join(fake, "plans", `${changed}.json`), JSON.stringify({ resource_changes: [detector] }));
    run = plan("--parallelism", "2");
    expect(run.status).toBe(2);
    expect(run.output).toContain("plan: tap: 1 replaced, 1 updated; 1 protected or singleton resource replaced or destroyed (needs approval)");
    const review = readFileSync(join(outdir, "plan-review.md"), "utf8");
    const readFirst = review.slice(review.indexOf("## Read first"), review.indexOf("## tap\n"));
    expect(readFirst).toContain(`- tap: replaced, protected: aws_s3_bucket.${bucket} (forced by bucket) [`);
    expect(readFirst).toContain("S3.Versioning");
    expect(review).toContain("- updated: aws_kms_key.k (enable_key_rotation) [KMS.Rotation (CIS 3.6)]");
    expect(review).toContain(`- created, account singleton: the GuardDuty detector, once per region: aws_guardduty_detector.d [GuardDuty.Enabled]`);
    expect(existsSync(stackFile("tap", "tfplan"))).toBe(true);
    expect(JSON.parse(readFileSync(stackFile("tap", "plan.json"), "utf8")).resource_changes).toHaveLength(2);
    expect(JSON.parse(readFileSync(stackFile("tap", "plan-record.json"), "utf8")).state).toEqual({ lineage: "tap-lineage", serial: 3 });

    // Stale: a synth with another setting rewrites tap's cdk.tf.json; apply refuses, naming it, and applies nothing.
    synth({ TAP_PROTECT_DATA: "false" });
    run = apply();
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/apply: refused: tap: its cdk\.tf\.json changed since the plan \(sha256 [0-9a-f]{12} planned, [0-9a-f]{12} now\)/);
    expect(run.output).toContain("apply: nothing applied");
    expect(applied()).toEqual([]);
    synth(); // the configuration that was planned, byte for byte

    // Stale: the state was written since the plan.
    writeFileSync(join(fake, "state", "tap.json"), JSON.stringify({ version: 4, serial: 4, lineage: "tap-lineage" }));
    run = apply();
    expect(run.status).toBe(1);
    expect(run.output).toContain("apply: refused: tap: its state changed since the plan (lineage tap-lineage, serial 3 planned, lineage tap-lineage, serial 4 now)");
    expect(applied()).toEqual([]);
    writeFileSync(join(fake, "state", "tap.json"), JSON.stringify({ version: 4, serial: 3, lineage: "tap-lineage" }));

    // Applied: only the stacks with changes, tap before the guardrail stack that depends on it, each its saved plan.
    run = apply("--parallelism", "2");
    expect(run.output).toContain(`apply: ${unchanged}: no changes, skipped`);
    expect(run.status).toBe(0);
    expect(applied()).toEqual(["tap", changed]);
    expect(readFileSync(join(fake, "calls.log"), "utf8")).toContain("tap apply -input=false -no-color tfplan");
    // Applied once: a second apply applies nothing.
    run = apply();
    expect(run.status).toBe(0);
    expect(run.output).toContain("apply: tap: its plan of");
    expect(applied()).toEqual(["tap", changed]);

    // 1: a stack that cannot be planned; the review says why, and apply refuses every stack.
    writeFileSync(join(fake, "plan-exit", unchanged), "1");
    run = plan();
    expect(run.status).toBe(1);
    expect(run.output).toContain(`plan: ${unchanged}: could not plan`);
    expect(readFileSync(join(outdir, "plan-review.md"), "utf8")).toContain(`Error: stand-in plan failure for ${unchanged}`);
    run = apply();
    expect(run.status).toBe(1);
    expect(run.output).toContain(`apply: refused: ${unchanged}: its plan failed`);
    expect(applied()).toEqual(["tap", changed]);
  }, 120_000);

  test("a stack whose state holds a region it no longer declares (regionsPerStack changed after a deploy) is refused before terraform plans it", () => {
    synth({ TAP_REGIONS_PER_STACK: "2" });
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    const first = Object.keys(manifest.stacks).find((name) => name === "tap-guardrails-1")!;
    const declared: string[] = JSON.parse(readFileSync(stackFile(first, "cdk.tf.json"), "utf8")).provider.aws.map((provider: { alias: string }) => provider.alias);
    expect(declared).not.toContain("eu-west-1");
    // Its state from a deploy with another grouping: a detector in eu-west-1 too.
    const detector = (region: string) => ({ mode: "managed", type: "aws_guardduty_detector", name: `d_${region}`, provider: `provider["registry.terraform.io/hashicorp/aws"].${region}`, instances: [] });
    writeFileSync(join(fake, "state", `${first}.json`), JSON.stringify({ version: 4, serial: 9, lineage: "g1", resources: [...declared, "eu-west-1"].map(detector) }));
    rmSync(join(fake, "calls.log"), { force: true });
    const run = plan(first);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`plan: ${first}: could not plan`);
    expect(readFileSync(stackFile(first, "plan-review.md"), "utf8")).toContain(`${first}: its state holds resources in eu-west-1, which it no longer declares`);
    expect(readFileSync(join(fake, "calls.log"), "utf8")).not.toMatch(new RegExp(`^${first} plan `, "m"));
    rmSync(join(fake, "state", `${first}.json`));
  }, 120_000);
  test("after an apply, a stack whose inputs and state are unchanged is not planned but checked for drift; drift or a changed input gets it planned", () => {
    synth();
    const stacks = Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks).filter((name) => name !== "bootstrap");
    const guardrails = stacks.filter((name) => name.startsWith("tap-guardrails-"));
    const [drifting] = guardrails;
    for (const folder of ["plan-exit", "drift-exit", "state"]) for (const stack of stacks) rmSync(join(fake, folder, stack + (folder === "state" ? ".json" : "")), { force: true });
    for (const stack of stacks) rmSync(stackFile(stack, "in-sync.json"), { force: true });
    const fullPlans = () => readFileSync(join(fake, "calls.log"), "utf8").split("\n").filter((line) => / plan .*-out=tfplan/.test(line)).map((line) => line.split(" ")[0]);
    const driftChecks = () => readFileSync(join(fake, "calls.log"), "utf8").split("\n").filter((line) => / plan -refresh-only/.test(line)).map((line) => line.split(" ")[0]);

    // A first deploy: every stack has changes; apply records what each now matches.
    for (const stack of stacks) writeFileSync(join(fake, "plan-exit", stack), "2");
    expect(plan().status).toBe(2);
    expect(apply().status).toBe(0);
    for (const stack of stacks) expect(JSON.parse(readFileSync(stackFile(stack, "in-sync.json"), "utf8"))).toMatchObject({ stack, state: { serial: 1 } });

    // The same inputs again: no stack is planned in full, each gets a refresh-only check, nothing to apply.
    for (const stack of stacks) rmSync(join(fake, "plan-exit", stack));
    rmSync(join(fake, "calls.log"));
    let run = plan();
    expect(run.status).toBe(0);
    expect(fullPlans()).toEqual([]);
    expect(driftChecks().sort()).toEqual([...stacks].sort());
    expect(run.output).toMatch(/plan: tap: skipped, inputs unchanged since \S+ \(configuration, provider lock, outputs it reads\), state serial 1; a refresh-only check found no drift \(needs no approval\)/);
    expect(readFileSync(stackFile("tap", "plan-review.md"), "utf8")).toContain("Not planned: inputs unchanged since");
    expect(apply().output).toContain("apply: no stack has changes to apply");

    // A control changed by hand in one stack: its drift check finds it, and that stack alone is planned.
    writeFileSync(join(fake, "drift-exit", drifting), "2");
    writeFileSync(join(fake, "plan-exit", drifting), "2");
    rmSync(join(fake, "calls.log"));
    run = plan();
    expect(run.status).toBe(2);
    expect(fullPlans()).toEqual([drifting]);
    expect(readFileSync(stackFile(drifting, "plan-review.md"), "utf8")).toContain("a refresh-only check found drift");
    rmSync(join(fake, "drift-exit", drifting));
    rmSync(join(fake, "plan-exit", drifting));

    // One stack's own input changes (tap's log retention) and its outputs do not: it alone is planned.
    synth({ TAP_LOG_RETENTION_DAYS: "400" });
    const changedConfig = guardrails.filter((stack) => readFileSync(stackFile(stack, "cdk.tf.json"), "utf8").includes('"retention_in_days": 400'));
    expect(changedConfig).toEqual([]);
    rmSync(join(fake, "calls.log"));
    run = plan();
    expect(run.status).toBe(0);
    expect(fullPlans()).toEqual(["tap"]);

    // tap's outputs changed (another apply wrote its state): the stacks that read them are planned in full too.
    const tapState = JSON.parse(readFileSync(join(fake, "state", "tap.json"), "utf8"));
    writeFileSync(join(fake, "state", "tap.json"), JSON.stringify({ ...tapState, serial: tapState.serial + 1, outputs: { vpc_id: { value: "vpc-2", type: "string" } } }));
    rmSync(join(fake, "calls.log"));
    expect(plan().status).toBe(0);
    expect(fullPlans().sort()).toEqual([...stacks].sort());
    // Those full plans found nothing to change: each is recorded in step again, and the next run skips every stack.
    rmSync(join(fake, "calls.log"));
    expect(plan().status).toBe(0);
    expect(fullPlans()).toEqual([]);
  }, 120_000);
});
