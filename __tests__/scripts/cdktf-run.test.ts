import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { cdktfRuns, refuseUnnamedStateBuckets, SynthesizedStack, synthesizedStacks } from "../../scripts/cdktf-run";
import { buildApp } from "../../src/app/app";
import { loadConfig } from "../../src/app/load-config";

const named = (name: string): SynthesizedStack => ({ name, missingStateBucket: false });
const single = [named("tap"), named("bootstrap")];

describe("npm run deploy | diff | destroy | bootstrap", () => {
  test("deploy and destroy run the main stacks together, one at a time unless told, never the bootstrap stack unless named; flags go to cdktf", () => {
    expect(cdktfRuns("deploy", [], single)).toEqual([["deploy", "--skip-synth", "tap", "--parallelism", "1"]]);
    expect(cdktfRuns("destroy", ["--auto-approve"], [named("prod-app"), named("dev-app"), named("bootstrap")])).toEqual([
      ["destroy", "--skip-synth", "prod-app", "dev-app", "--auto-approve", "--parallelism", "1"],
    ]);
    expect(cdktfRuns("deploy", ["dev-app"], [named("prod-app"), named("dev-app")])).toEqual([["deploy", "--skip-synth", "dev-app", "--parallelism", "1"]]);
    // The split layout's region stacks are main stacks too; cdktf orders them after their account stack.
    expect(cdktfRuns("deploy", [], [named("tap"), named("tap-guardrails-1"), named("bootstrap")])).toEqual([["deploy", "--skip-synth", "tap", "tap-guardrails-1", "--parallelism", "1"]]);
    // '*' is every main stack; an option's value is not a stack name.
    expect(cdktfRuns("deploy", ["*", "--auto-approve", "--parallelism", "2"], [named("prod-app"), named("dev-app"), named("bootstrap")])).toEqual([
      ["deploy", "--skip-synth", "prod-app", "dev-app", "--auto-approve", "--parallelism", "2"],
    ]);
  });

  test("diff runs once per stack (cdktf diff takes one)", () => {
    expect(cdktfRuns("diff", [], [named("prod-app"), named("dev-app")])).toEqual([
      ["diff", "--skip-synth", "prod-app"],
      ["diff", "--skip-synth", "dev-app"],
    ]);
  });

  test("bootstrap applies the bootstrap stack, and says what to set when there is none", () => {
    expect(cdktfRuns("bootstrap", ["--auto-approve"], single)).toEqual([["deploy", "--skip-synth", "bootstrap", "--auto-approve"]]);
    expect(() => cdktfRuns("bootstrap", [], [named("tap")])).toThrow("there is no bootstrap stack: set accountId (TAP_ACCOUNT_ID)");
    expect(() => cdktfRuns("bootstrap", ["tap"], single)).toThrow("npm run bootstrap takes no stack names");
  });

  test("a stack whose backend names no bucket is refused before Terraform runs, saying what to set", () => {
    expect(() => cdktfRuns("deploy", [], [{ name: "tap", missingStateBucket: true }])).toThrow(
      "stack tap has no state bucket: set accountId (TAP_ACCOUNT_ID) and run npm run bootstrap once, which creates <project>-tfstate-<account>-<region>; or name an existing bucket with backend.bucket (TERRAFORM_STATE_BUCKET)",
    );
  });

  test("the refusal (npm run drift's too) concerns only the stacks run: another stack without a bucket does not stop them", () => {
    const stacks = [{ name: "bootstrap", missingStateBucket: false }, { name: "tap", missingStateBucket: true }];
    expect(() => refuseUnnamedStateBuckets(["bootstrap"], stacks)).not.toThrow();
    expect(() => refuseUnnamedStateBuckets(["bootstrap", "tap"], stacks)).toThrow(/^stack tap has no state bucket/);
  });

  test("an unknown stack is named with the ones that exist", () => {
    expect(() => cdktfRuns("deploy", ["tapp"], single)).toThrow("no stack tapp; the stacks are tap, bootstrap");
  });
});

describe("synthesizedStacks", () => {
  const synthesize = (env: Record<string, string>) => {
    const outdir = mkdtempSync(join(tmpdir(), "tap-run-"));
    buildApp(loadConfig({ TAP_REGIONS: "us-east-1", TAP_GUARDRAIL_REGIONS: "us-east-1", ...env }, { file: null }), outdir).app.synth();
    return synthesizedStacks(outdir);
  };

  test("reads the stacks and whether their backend names a bucket from what synth wrote", () => {
    expect(synthesize({})).toEqual([{ name: "tap", missingStateBucket: true }]);
    expect(synthesize({ TAP_ACCOUNT_ID: "111122223333" })).toEqual(
      expect.arrayContaining([
        { name: "tap", missingStateBucket: false },
        { name: "bootstrap", missingStateBucket: false },
      ]),
    );
    // The split layout's region stacks are stacks deploy runs too, with the same bucket.
    expect(synthesize({ TAP_ACCOUNT_ID: "111122223333", TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2" })).toEqual(
      expect.arrayContaining([{ name: "tap-guardrails-1", missingStateBucket: false }]),
    );
  }, 30_000);
});
