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

  test("a main stack whose backend does not know the state key is refused when bootstrap's bucket holds its state; bootstrap itself still runs", () => {
    const keyless = [named("bootstrap"), { name: "tap", missingStateBucket: false, missingStateKey: true }];
    expect(() => cdktfRuns("deploy", [], keyless)).toThrow(
      "stack tap does not know the state key, which the state bucket requires of every write: run npm run bootstrap (synth then reads the key from stacks/bootstrap/terraform.tfstate in the output folder), or, where that file is not (a CI runner), set backend.kmsKeyId (TERRAFORM_STATE_KMS_KEY_ID) to the bootstrap stack's state_kms_key_arn output",
    );
    expect(() => refuseUnnamedStateBuckets(["tap"], keyless)).toThrow(/^stack tap does not know the state key/);
    // The first bootstrap, before the key exists: the main stacks cannot know it yet.
    expect(cdktfRuns("bootstrap", [], keyless)).toEqual([["deploy", "--skip-synth", "bootstrap"]]);
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
    expect(synthesize({})).toEqual([{ name: "tap", missingStateBucket: true, missingStateKey: false }]);
    // Bootstrap's bucket, and no key known yet (not bootstrapped here): the main stack cannot write state there.
    expect(synthesize({ TAP_ACCOUNT_ID: "111122223333" })).toEqual(
      expect.arrayContaining([
        { name: "tap", missingStateBucket: false, missingStateKey: true },
        { name: "bootstrap", missingStateBucket: false, missingStateKey: false },
      ]),
    );
    const key = "arn:aws:kms:us-east-1:111122223333:key/0b7d5f2e-7c1a-4e3b-9a6d-2f4e8c1b3a5d";
    expect(synthesize({ TAP_ACCOUNT_ID: "111122223333", TERRAFORM_STATE_KMS_KEY_ID: key })).toEqual(expect.arrayContaining([{ name: "tap", missingStateBucket: false, missingStateKey: false }]));
    // The split layout's region stacks are stacks deploy runs too, with the same bucket.
    expect(synthesize({ TAP_ACCOUNT_ID: "111122223333", TAP_GUARDRAIL_REGIONS: "us-east-1,us-east-2" })).toEqual(
      expect.arrayContaining([{ name: "tap-guardrails-1", missingStateBucket: false, missingStateKey: true }]),
    );
  }, 30_000);
});
