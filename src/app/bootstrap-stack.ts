import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { Construct } from "constructs";
import { LocalBackend, TerraformOutput } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { MANAGED_BY } from "../aws/naming";
import { ComplianceValidation } from "../compliance/audit";
import { suppressRule } from "../compliance/suppressions";
import type { BootstrapConfig } from "../config/model";
import { BOOTSTRAP_STATE_PATH } from "../storage/storage-settings";
import { StateBucket } from "../storage/state-bucket";
import { TAP_RESOURCE_RULES } from "./rule-pack";
import { SinglePassStack, SinglePassStackOptions } from "./single-pass-stack";
import { REQUIRED_TERRAFORM_VERSION } from "./stack-parts";

/** The environment in names and tags of what bootstrap creates: it serves every environment of the project. */
export const BOOTSTRAP_ENVIRONMENT = "bootstrap";
/** The state file of the bootstrap stack, beside its synthesized configuration. */
export const BOOTSTRAP_STATE_FILE = "terraform.tfstate";

/**
 * The string outputs of the bootstrap stack's local state in the synth output folder `outdir`
 * (what `npm run bootstrap` applied here), or undefined when it has not been applied here. The
 * main stacks' backend takes the state key from it (storage-settings' withBootstrapStateKey).
 */
export function bootstrapOutputs(outdir: string): Record<string, string> | undefined {
  const file = join(outdir, BOOTSTRAP_STATE_PATH);
  if (!existsSync(file)) return undefined;
  let state: { outputs?: Record<string, { value?: unknown }> };
  try {
    state = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: is not a Terraform state file (${(error as Error).message}); it is the bootstrap stack's state: restore it from your copy, or move it away and import the state bucket again`);
  }
  const outputs = Object.entries(state.outputs ?? {}).filter(([, output]) => typeof output.value === "string");
  return Object.fromEntries(outputs.map(([name, output]) => [name, output.value as string]));
}

/**
 * What `npm run bootstrap` applies, the way `cdk bootstrap` prepares an environment: the S3
 * bucket the main stacks keep their state in (StateBucket). Its own state cannot live in the
 * bucket it creates, so it is local, in its folder of cdktf.out; everything in it is
 * `prevent_destroy`, so losing that file loses no data (import the bucket to manage it again).
 * It is judged by the resource rules of the pack; the account baseline's own completeness
 * (a trail, detectors) is the main stacks' business.
 */
export class BootstrapStack extends SinglePassStack {
  constructor(scope: Construct, id: string, config: BootstrapConfig, options: SinglePassStackOptions = {}) {
    super(scope, id, options);
    new LocalBackend(this, { path: BOOTSTRAP_STATE_FILE });
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    const naming = { project: config.project, environment: BOOTSTRAP_ENVIRONMENT };
    // Aliased by its region like the main stacks' providers, so every resource names the one it uses.
    const provider = new AwsProvider(this, `aws-${config.region}`, {
      alias: config.region,
      region: config.region,
      defaultTags: [{ tags: { ...config.tags, Environment: BOOTSTRAP_ENVIRONMENT, Project: config.project, ManagedBy: MANAGED_BY } }],
      allowedAccountIds: [config.accountId],
    });
    const accountId = new DataAwsCallerIdentity(this, "caller_identity", { provider }).accountId;
    const partition = new DataAwsPartition(this, "partition", { provider }).partition;
    this.node.addValidation(new ComplianceValidation(this, TAP_RESOURCE_RULES));

    const state = new StateBucket(this, "state", {
      provider,
      naming,
      bucketName: config.bucket,
      accessLogBucketName: config.accessLogBucket,
      accountId,
      partition,
    });
    // What the rules ask of a bucket that holds data, and a state bucket does otherwise.
    suppressRule(state, "S3.CrossRegionReplication", "state is versioned in its one region, and a replica would be a second copy of every secret in it to protect; a lost region's state is rebuilt by import");
    suppressRule(state, "CloudTrail.S3DataEvents", "the trail lives in the main stack, which records this bucket's object events in a single-account deployment; a fleet's deployment account is outside its members' trails");

    new TerraformOutput(this, "state_bucket", { value: state.bucketName, description: "The S3 bucket the main stacks keep their state in." });
    new TerraformOutput(this, "state_region", { value: config.region, description: "Its region." });
    new TerraformOutput(this, "state_kms_key_arn", { value: state.keyArn, description: "The state key, which the state bucket requires of every write: synth gives it to the main stacks' backend from this state; elsewhere set it as backend.kmsKeyId (TERRAFORM_STATE_KMS_KEY_ID)." });
    new TerraformOutput(this, "state_access_log_bucket", { value: state.accessLogBucketName, description: "Where every request to the state bucket is logged." });
  }
}
