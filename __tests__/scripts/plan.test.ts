import {
  configHash,
  InSyncRecord,
  inputsHash,
  stateOutputsHash,
  unchangedSince,
  PlanJson,
  PlanRecord,
  renderReview,
  ReviewCatalog,
  regroupedRegions,
  reviewPlan,
  runWaves,
  staleness,
  stateIdentity,
  stateProviderAliases,
  summaryLine,
  waves,
} from "../../scripts/plan-review";

/** A small rule pack: the review's mapping is asserted against it exactly. */
const CATALOG: ReviewCatalog = {
  controls: [
    { type: "aws_kms_key", attributes: ["enable_key_rotation"], rule: "KMS.Rotation" },
    { type: "aws_guardduty_detector", attributes: ["enable"], rule: "GuardDuty.Enabled" },
    { type: "*", attributes: ["tags", "tags_all"], rule: "Tags.Required" },
  ],
  rules: [
    { id: "S3.Versioning", appliesTo: ["aws_s3_bucket"] },
    { id: "S3.TlsOnly", appliesTo: ["aws_s3_bucket", "aws_s3_bucket_policy"] },
    { id: "KMS.KeyPolicy", appliesTo: ["aws_kms_key"] },
  ],
  singletonTypes: { aws_guardduty_detector: "the GuardDuty detector, once per region" },
};

/** cdk.tf.json with one protected bucket (prevent_destroy) and one that is not. */
const CONFIG = {
  resource: {
    aws_s3_bucket: { data: { bucket: "d", lifecycle: { prevent_destroy: true } }, logs: { bucket: "l" } },
    aws_kms_key: { key: { enable_key_rotation: true } },
  },
};

const change = (address: string, actions: string[], extra: object = {}) => {
  const [type, name] = address.split(".");
  return { address, mode: "managed", type, name, change: { actions, ...extra } };
};

const PLAN: PlanJson = {
  resource_changes: [
    change("aws_kms_key.new", ["create"], { before: null, after: { enable_key_rotation: true } }),
    change("aws_kms_key.key", ["update"], { before: { enable_key_rotation: true, description: "a" }, after: { enable_key_rotation: false, description: "a" } }),
    change("aws_s3_bucket.logs", ["delete", "create"], { replace_paths: [["bucket"]] }),
    change("aws_s3_bucket.data", ["delete", "create"], { replace_paths: [["bucket"], ["object_lock_enabled"]] }),
    change("aws_guardduty_detector.detector", ["delete"]),
    change("aws_s3_bucket_policy.unchanged", ["no-op"]),
    { ...change("aws_iam_policy_document.read", ["read"]), mode: "data" },
  ],
  output_changes: { trail_arn: { actions: ["update"] }, vpc_ids: { actions: ["no-op"] } },
};

describe("the plan review", () => {
  const review = reviewPlan("tap", 2, PLAN, CONFIG, CATALOG);

  test("a [delete, create] of an aws_s3_bucket with prevent_destroy is listed first as 'replaced, protected', then the destroyed singleton; the rest by kind", () => {
    expect(review.status).toBe("changes");
    expect(review.changes.map((c) => [c.address, c.kind, c.protected, c.singleton !== undefined])).toEqual([
      ["aws_guardduty_detector.detector", "delete", false, true],
      ["aws_s3_bucket.data", "replace", true, false],
      ["aws_s3_bucket.logs", "replace", false, false], // not protected: listed with the replacements, after the critical ones
      ["aws_kms_key.key", "update", false, false],
      ["aws_kms_key.new", "create", false, false],
    ]);
    const text = renderReview([review]);
    const readFirst = text.slice(text.indexOf("## Read first"), text.indexOf("## tap"));
    expect(readFirst).toContain("- tap: replaced, protected: aws_s3_bucket.data (forced by bucket, object_lock_enabled) [S3.TlsOnly, S3.Versioning]");
    expect(readFirst).toContain("- tap: destroyed, account singleton: the GuardDuty detector, once per region: aws_guardduty_detector.detector [GuardDuty.Enabled]");
    expect(readFirst).not.toContain("aws_s3_bucket.logs");
  });

  test("each change names the rules it touches: an update by the attributes that change, a create, replace or destroy by its type", () => {
    const rules = Object.fromEntries(review.changes.map((c) => [c.address, c.rules]));
    expect(rules["aws_kms_key.key"]).toEqual(["KMS.Rotation"]); // enable_key_rotation changed; description did not
    expect(review.changes.find((c) => c.address === "aws_kms_key.key")?.attributes).toEqual(["enable_key_rotation"]);
    expect(rules["aws_kms_key.new"]).toEqual(["KMS.KeyPolicy", "KMS.Rotation"]);
    expect(rules["aws_s3_bucket.logs"]).toEqual(["S3.TlsOnly", "S3.Versioning"]);
    expect(review.outputs).toEqual(["trail_arn"]);
    expect(summaryLine(review)).toBe("tap: 2 replaced, 1 destroyed, 1 updated, 1 created, 1 output changed; 2 protected or singleton resources replaced or destroyed (needs approval)");
  });

  test("an update of tags alone touches Tags.Required; one of an attribute no control lists touches none, and says so", () => {
    const plan: PlanJson = {
      resource_changes: [
        change("aws_kms_key.key", ["update"], { before: { tags: { a: "1" } }, after: { tags: { a: "2" } } }),
        change("aws_s3_bucket.logs", ["update"], { before: { force_destroy: false }, after: { force_destroy: true } }),
      ],
    };
    const [tags, other] = [...reviewPlan("tap", 2, plan, CONFIG, CATALOG).changes].sort((a, b) => a.address.localeCompare(b.address));
    expect(tags.rules).toEqual(["Tags.Required"]);
    expect(other.rules).toEqual([]);
    expect(renderReview([reviewPlan("tap", 2, plan, CONFIG, CATALOG)])).toContain("- updated: aws_s3_bucket.logs (force_destroy) [no control of the rule pack]");
  });

  test("an attribute only known after apply counts as changed", () => {
    const plan: PlanJson = { resource_changes: [change("aws_kms_key.key", ["update"], { before: { enable_key_rotation: true }, after: {}, after_unknown: { enable_key_rotation: true } })] };
    expect(reviewPlan("tap", 2, plan, CONFIG, CATALOG).changes[0].rules).toEqual(["KMS.Rotation"]);
  });

  test("with tap's own catalog, a key rotation change maps to KMS.Rotation (the drift engine's control)", () => {
    const plan: PlanJson = { resource_changes: [change("aws_kms_key.key", ["update"], { before: { enable_key_rotation: true }, after: { enable_key_rotation: false } })] };
    expect(reviewPlan("tap", 2, plan, CONFIG).changes[0].rules).toEqual(["KMS.Rotation"]);
  });

  test("with tap's own catalog, a destroyed Security Hub subscription (CIS v3.0.0 dropped from the standards) touches the standards' rules", () => {
    const plan: PlanJson = {
      resource_changes: [
        change("aws_securityhub_standards_subscription.guardrails-us-east-1_security-hub-cis-v3_E2516829", ["delete"], {
          before: { standards_arn: "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0" },
          after: null,
        }),
      ],
    };
    const [destroyed] = reviewPlan("tap", 2, plan, CONFIG).changes;
    expect(destroyed).toMatchObject({ kind: "delete", rules: ["SecurityHub.CisStandard", "SecurityHub.FsbpStandard"] });
  });

  test("with tap's own catalog, a recorder whose recording group narrows touches Config.Recorder and Config.RequiredResourceTypes", () => {
    const before = { recording_group: [{ all_supported: true }], recording_mode: [] };
    const after = { recording_group: [{ all_supported: false, exclusion_by_resource_types: [{ resource_types: ["AWS::EC2::SecurityGroup"] }] }], recording_mode: [] };
    const plan: PlanJson = { resource_changes: [change("aws_config_configuration_recorder.recorder", ["update"], { before, after })] };
    expect(reviewPlan("tap", 2, plan, CONFIG).changes[0].rules).toEqual(["Config.Recorder", "Config.RequiredResourceTypes"]);
  });

  test("exit code 0 is 'no changes, needs no approval'; any other but 2 is 'could not plan', with terraform's words", () => {
    const none = reviewPlan("tap-guardrails-1", 0, { resource_changes: [change("aws_kms_key.key", ["no-op"])] }, CONFIG, CATALOG);
    expect(none.status).toBe("no-changes");
    expect(summaryLine(none)).toBe("tap-guardrails-1: no changes (needs no approval)");
    expect(renderReview([none])).toContain("No changes. Needs no approval; npm run apply skips it.");
    const failed = reviewPlan("tap", 1, undefined, CONFIG, CATALOG, "Error: Instance cannot be destroyed");
    expect(failed.status).toBe("error");
    const text = renderReview([failed, none]);
    expect(text).toContain("- tap: could not plan; npm run apply refuses until it plans");
    expect(text).toContain("Error: Instance cannot be destroyed");
  });
});

describe("a saved plan is stale", () => {
  const config = '{"resource":{}}';
  const record: PlanRecord = { stack: "tap", status: "changes", plannedAt: "2026-01-01T00:00:00Z", configSha256: configHash(config), state: { lineage: "abc", serial: 4 } };

  test("not when cdk.tf.json and the state's lineage and serial are those it was made from", () => {
    expect(staleness(record, config, { lineage: "abc", serial: 4 })).toBeUndefined();
  });

  test("when cdk.tf.json changed, naming the stack and the file", () => {
    expect(staleness(record, '{"resource":{"x":{}}}', { lineage: "abc", serial: 4 })).toMatch(/^tap: its cdk.tf.json changed since the plan \(sha256 [0-9a-f]{12} planned, [0-9a-f]{12} now\)/);
  });

  test("when the state was written since (serial), replaced (lineage) or created", () => {
    expect(staleness(record, config, { lineage: "abc", serial: 5 })).toBe("tap: its state changed since the plan (lineage abc, serial 4 planned, lineage abc, serial 5 now); npm run plan again and review it");
    expect(staleness(record, config, { lineage: "xyz", serial: 4 })).toContain("lineage xyz, serial 4 now");
    const fresh = { ...record, state: stateIdentity("") };
    expect(staleness(fresh, config, stateIdentity(""))).toBeUndefined();
    expect(staleness(fresh, config, stateIdentity('{"version":4,"serial":1,"lineage":"new"}'))).toContain("(no state planned, lineage new, serial 1 now)");
  });
});

describe("the order stacks run in, from the manifest's dependencies", () => {
  const manifest = {
    stacks: {
      bootstrap: { dependencies: [] },
      tap: { dependencies: [] },
      "tap-guardrails-1": { dependencies: ["tap"] },
      "tap-guardrails-2": { dependencies: ["tap"] },
      late: { dependencies: ["tap-guardrails-2"] },
    },
  };

  test("waves: each stack after its dependencies, manifest order within a wave, only the targets", () => {
    expect(waves(manifest, ["tap-guardrails-2", "tap-guardrails-1", "tap"])).toEqual([["tap"], ["tap-guardrails-1", "tap-guardrails-2"]]);
    // late depends on tap through tap-guardrails-2, which is not a target: still after tap.
    expect(waves(manifest, ["late", "tap"])).toEqual([["tap"], ["late"]]);
    expect(waves(manifest, ["late", "tap-guardrails-1"])).toEqual([["tap-guardrails-1"], ["late"]]);
  });

  test("a cycle is refused", () => {
    expect(() => waves({ stacks: { a: { dependencies: ["b"] }, b: { dependencies: ["a"] } } }, ["a"])).toThrow(/cycle/);
  });

  test("runWaves: at most N at once, a wave only after the one before, and no later wave after a failure when asked", async () => {
    const events: string[] = [];
    let running = 0;
    let most = 0;
    const task = async (item: string) => {
      running++;
      most = Math.max(most, running);
      events.push(`start ${item}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      events.push(`end ${item}`);
      return item !== "b";
    };
    expect(await runWaves([["a"], ["b", "c", "d"], ["e"]], 2, task, true)).toBe(false);
    expect(most).toBe(2);
    expect(events.indexOf("end a")).toBeLessThan(events.indexOf("start b"));
    expect(events).toContain("end d"); // the failing wave finishes
    expect(events).not.toContain("start e");
    events.length = 0;
    expect(await runWaves([["a"], ["b"], ["e"]], 1, task, false)).toBe(false);
    expect(events).toContain("start e");
  });
});

describe("a stack whose state holds regions it no longer declares (the grouping changed after a deploy)", () => {
  /** What terraform state pull prints for a region stack that created its guardrails in `regions`. */
  const pulledState = (regions: string[]) =>
    JSON.stringify({
      version: 4,
      serial: 3,
      lineage: "abc",
      resources: regions.map((region) => ({ mode: "managed", type: "aws_guardduty_detector", name: `detector_${region}`, provider: `provider["registry.terraform.io/hashicorp/aws"].${region}`, instances: [] })),
    });
  const declaring = (...regions: string[]) => ({ provider: { aws: regions.map((region) => ({ alias: region, region })) } });

  test("reads the regions a state's resources were created in from their provider addresses", () => {
    expect(stateProviderAliases(pulledState(["us-west-1", "us-east-2", "us-west-1"]))).toEqual(["us-east-2", "us-west-1"]);
    expect(stateProviderAliases("")).toEqual([]);
  });

  test("regionsPerStack 2 -> 3: tap-guardrails-2 held ca-central-1 and sa-east-1, now declares sa-east-1, eu-west-1, eu-west-2: refused, naming ca-central-1", () => {
    const refusal = regroupedRegions("tap-guardrails-2", declaring("sa-east-1", "eu-west-1", "eu-west-2"), stateProviderAliases(pulledState(["ca-central-1", "sa-east-1"])));
    expect(refusal).toMatch(/^tap-guardrails-2: its state holds resources in ca-central-1, which it no longer declares: regionsPerStack or layout changed after a deploy/);
    expect(refusal).toContain("Nothing was planned");
    expect(refusal).toContain("npm run migrate moves each region's resources to the state of its new stack");
  });

  test("the same regions, more regions, or a retiring region still declared plan as usual", () => {
    expect(regroupedRegions("tap-guardrails-1", declaring("us-east-2", "us-west-1"), ["us-east-2", "us-west-1"])).toBeUndefined();
    expect(regroupedRegions("tap-guardrails-1", declaring("us-east-2", "us-west-1", "ca-central-1"), ["us-east-2"])).toBeUndefined();
    expect(regroupedRegions("tap", declaring("us-east-1", "eu-west-1"), [])).toBeUndefined();
  });
});

describe("skipping a stack whose inputs have not changed since it was last in step", () => {
  const inputs = { config: '{"resource":{}}', lock: "provider aws 5.100.0", upstreamOutputs: { tap: "a".repeat(64) } };
  const hash = inputsHash(inputs);
  const record: InSyncRecord = { stack: "tap-guardrails-1", at: "2026-12-07T10:00:00.000Z", inputsSha256: hash, state: { lineage: "g1", serial: 4 }, outputsSha256: "b".repeat(64) };

  test("each input counts: the configuration, the provider lock, and each upstream stack's outputs", () => {
    expect(inputsHash({ ...inputs })).toBe(hash);
    expect(inputsHash({ ...inputs, upstreamOutputs: { tap: "a".repeat(64) } })).toBe(hash);
    expect(inputsHash({ ...inputs, config: '{"resource":{"x":{}}}' })).not.toBe(hash);
    expect(inputsHash({ ...inputs, lock: "provider aws 5.101.0" })).not.toBe(hash);
    expect(inputsHash({ ...inputs, lock: undefined })).not.toBe(hash);
    expect(inputsHash({ ...inputs, upstreamOutputs: { tap: "c".repeat(64) } })).not.toBe(hash);
    expect(inputsHash({ ...inputs, upstreamOutputs: {} })).not.toBe(hash);
    // Upstream order does not matter.
    expect(inputsHash({ ...inputs, upstreamOutputs: { b: "1", a: "2" } })).toBe(inputsHash({ ...inputs, upstreamOutputs: { a: "2", b: "1" } }));
  });

  test("skipped only with a record, the same inputs and the same state", () => {
    expect(unchangedSince(record, hash, { lineage: "g1", serial: 4 })).toBe("inputs unchanged since 2026-12-07T10:00:00.000Z (configuration, provider lock, outputs it reads), state serial 4");
    expect(unchangedSince(undefined, hash, { lineage: "g1", serial: 4 })).toBeUndefined();
    expect(unchangedSince(record, undefined, { lineage: "g1", serial: 4 })).toBeUndefined();
    expect(unchangedSince(record, inputsHash({ ...inputs, lock: "other" }), { lineage: "g1", serial: 4 })).toBeUndefined();
    expect(unchangedSince(record, hash, { lineage: "g1", serial: 5 })).toBeUndefined();
    expect(unchangedSince(record, hash, { lineage: "other", serial: 4 })).toBeUndefined();
    expect(unchangedSince({ ...record, state: { lineage: null, serial: null } }, hash, { lineage: null, serial: null })).toBeUndefined();
  });

  test("a state's outputs hash follows names, values and types, not the rest of the state", () => {
    const state = (serial: number, outputs: object) => JSON.stringify({ version: 4, serial, lineage: "l", outputs, resources: [] });
    const one = stateOutputsHash(state(1, { vpc_id: { value: "vpc-1", type: "string" } }));
    expect(stateOutputsHash(state(9, { vpc_id: { value: "vpc-1", type: "string" } }))).toBe(one);
    expect(stateOutputsHash(state(1, { vpc_id: { value: "vpc-2", type: "string" } }))).not.toBe(one);
    expect(stateOutputsHash(state(1, { subnet_id: { value: "vpc-1", type: "string" } }))).not.toBe(one);
    expect(stateOutputsHash("")).toBe(stateOutputsHash(state(1, {})));
  });
});
