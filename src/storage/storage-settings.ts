/**
 * Storage's settings: whether data survives a destroy, cross-region replication of the data
 * buckets, and where Terraform keeps state (the S3 state bucket npm run bootstrap makes, or
 * HCP Terraform). Each stack's backend, and its region stacks', is derived here.
 */
import { bucketNameProblem } from "../aws/limits";
import { REGION_SCHEMA } from "../network/network-settings";
import { DEFAULT_CONFIG_FILE, Problems, RiskyValue, Setting, StackSettingsView } from "../settings/problems";
import { BooleanSchema, ObjectSchema, SchemaIssue, StringSchema, TaggedUnionSchema } from "../settings/schema";
import { stateAccessLogBucketName, stateBucketName } from "./storage-facts";

export type StateBackend =
  | {
      readonly type: "s3";
      /** Undefined until it can be named: no backend.bucket and no accountId to derive it from (deploy refuses). */
      readonly bucket?: string;
      readonly key: string;
      readonly region: string;
      /** Key state objects are encrypted with (configured, or the one bootstrap made); SSE-S3 without one. */
      readonly kmsKeyId?: string;
    }
  | { readonly type: "hcp"; readonly organization: string; readonly workspace: string; readonly hostname: string };

/** The stack `npm run bootstrap` applies: the S3 state bucket the main stacks' backend names. */
export interface BootstrapConfig {
  /** Its stack (cdktf.out/stacks/<name>); its own state is local, in that folder. */
  readonly stackName: string;
  readonly project: string;
  /** The account that holds the bucket (allowed_account_ids). */
  readonly accountId: string;
  readonly bucket: string;
  /** Where every request to it is logged. */
  readonly accessLogBucket: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The backend as configured: its type and each field with where it was given. */
export interface BackendSettings {
  readonly type: "s3" | "hcp";
  readonly fields: Readonly<Record<string, Setting<string>>>;
}

export const STORAGE_DEFAULTS = { stateBucketRegion: "us-east-1", hcpHostname: "app.terraform.io" } as const;

/** The stack of the state bucket (npm run bootstrap). */
export const BOOTSTRAP_STACK_NAME = "bootstrap";

/** Environments whose data is protected from `destroy` unless configured otherwise. */
export const PROTECTED_ENVIRONMENT_PREFIX = "prod";

export const STORAGE_FIELDS = {
  protectData: new BooleanSchema("Keep data on destroy: buckets refuse deletion while they hold objects and buckets, keys and the password policy carry prevent_destroy. Default: on for environments starting with prod."),
  replication: new BooleanSchema("Replicate each region's data bucket to the next configured region (a ring). Default: on when there are two regions or more."),
} as const;

export const STORAGE_VARIABLES: Readonly<Record<keyof typeof STORAGE_FIELDS, string>> = {
  protectData: "TAP_PROTECT_DATA",
  replication: "TAP_REPLICATION",
};

export const STORAGE_RISKY_VALUES: readonly RiskyValue[] = [
  {
    setting: "replication",
    ruleId: "S3.CrossRegionReplication",
    risky: (on: boolean) => !on,
    why: () => "leaves each region's data in one region only (rule S3.CrossRegionReplication)",
  },
];

/**
 * A key id or key ARN. Terraform's S3 backend takes an alias too since 1.7 (hashicorp/terraform
 * #33979, fixed by commit 6088002a), but an alias can be repointed to another key, and the state
 * bucket's policy compares the key its writes name with the state key's ARN.
 */
export const STATE_KMS_KEY_PATTERN =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([a-f0-9]{8}-[a-f0-9]{4}-[1-5][a-f0-9]{3}-[ab89][a-f0-9]{3}-[a-f0-9]{12}|mrk-[a-f0-9]{32})$/;

export const BACKEND_SCHEMA = new TaggedUnionSchema(
  {
    s3: new ObjectSchema(
      {
        bucket: new StringSchema({
          description: "State bucket. Default: <project>-tfstate-<accountId>-<region>, unique to the account and region; npm run bootstrap creates it.",
          expected: "a valid S3 bucket name",
        }),
        kmsKeyId: new StringSchema({
          description:
            "KMS key Terraform encrypts state and lock file with. Bootstrap's state bucket refuses any other: there it must be the state key's ARN (the bootstrap stack's state_kms_key_arn output). Default: that key, which synth reads from the bootstrap stack's local state where npm run bootstrap ran; a bucket of your own without it gets SSE-S3.",
          pattern: STATE_KMS_KEY_PATTERN,
          expected: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or key id; not an alias, which can be repointed to another key",
        }),
        region: REGION_SCHEMA,
        key: new StringSchema({
          description: "State object key of a single-account deployment. A fleet uses keyPrefix instead.",
          maxLength: 1024,
          pattern: /^[^/](.*[^/])?$/,
          expected: 'an S3 object key of at most 1024 characters that neither starts nor ends with "/"',
        }),
        keyPrefix: new StringSchema({
          description: "Fleet only: each account's state key is <keyPrefix>/<account name>/terraform.tfstate.",
          maxLength: 900,
          pattern: /^[^/](.*[^/])?$/,
          expected: 'an S3 key prefix that neither starts nor ends with "/"',
        }),
      },
      { description: "S3 state backend, encrypted and locked with Terraform's S3 lock file." },
    ),
    hcp: new ObjectSchema(
      {
        organization: new StringSchema({ description: "HCP Terraform organization.", pattern: /^[A-Za-z0-9_-]+$/, expected: "letters, digits, _ and -" }),
        workspacePrefix: new StringSchema({
          description: "Each stack's workspace is <workspacePrefix><stack name>.",
          pattern: /^[A-Za-z0-9_-]*$/,
          maxLength: 40,
          expected: "up to 40 letters, digits, _ and -",
        }),
        hostname: new StringSchema({ description: "HCP Terraform or Terraform Enterprise host.", pattern: /^[a-z0-9.-]+$/, expected: "a host name" }),
      },
      { description: "HCP Terraform (Terraform Cloud) workspaces, one per stack.", required: ["organization"] },
    ),
  },
  "Where Terraform keeps state. Default: S3.",
);

/** Backend settings readable from variables, with the backend type each applies to. */
export const BACKEND_ENV = {
  TAP_BACKEND: { field: "type", appliesTo: undefined },
  TERRAFORM_STATE_BUCKET: { field: "bucket", appliesTo: "s3" },
  TERRAFORM_STATE_BUCKET_REGION: { field: "region", appliesTo: "s3" },
  TERRAFORM_STATE_BUCKET_KEY: { field: "key", appliesTo: "s3" },
  TERRAFORM_STATE_KMS_KEY_ID: { field: "kmsKeyId", appliesTo: "s3" },
  TAP_HCP_ORGANIZATION: { field: "organization", appliesTo: "hcp" },
  TAP_HCP_WORKSPACE_PREFIX: { field: "workspacePrefix", appliesTo: "hcp" },
} as const;

/**
 * The backend: the file's (`fromFile`, given at `display`), with variables over it; S3 by default.
 * A variable for the other backend type is refused, as is the hcp backend without its organization.
 */
export function readBackend(fromFile: Readonly<Record<string, string>> | undefined, display: string, env: Readonly<Record<string, string>>, problems: Problems): BackendSettings {
  const typeText = env.TAP_BACKEND;
  if (typeText !== undefined && typeText !== "s3" && typeText !== "hcp") problems.error(`TAP_BACKEND: "${typeText}" is not allowed; expected s3 or hcp`);
  const type: "s3" | "hcp" = typeText === "hcp" || typeText === "s3" ? typeText : ((fromFile?.type as "s3" | "hcp" | undefined) ?? "s3");
  const fields: Record<string, Setting<string>> = {};
  for (const [key, value] of Object.entries(fromFile ?? {})) {
    if (key !== "type") fields[key] = { value, origin: `${display} $.backend.${key}` };
  }
  for (const [variable, { field, appliesTo }] of Object.entries(BACKEND_ENV)) {
    const text = env[variable];
    if (text === undefined || appliesTo === undefined) continue;
    if (appliesTo !== type) {
      problems.error(`${variable}: applies to the ${appliesTo} backend, but the backend is ${type}; remove it or set TAP_BACKEND=${appliesTo}`);
      continue;
    }
    const schema = (BACKEND_SCHEMA.variants[type].fields as Readonly<Record<string, StringSchema>>)[field];
    const issues: SchemaIssue[] = [];
    const value = schema.parse(text, [], issues);
    problems.report(issues, variable);
    if (value !== undefined) fields[field] = { value, origin: variable };
  }
  if (type === "hcp" && !fields.organization) {
    problems.error(`TAP_HCP_ORGANIZATION: is required with the hcp backend; set it, or backend.organization in ${DEFAULT_CONFIG_FILE}`);
  }
  return { type, fields };
}

/**
 * What cannot work whichever stack uses the backend, said once: a bucket name S3 refuses, a
 * fleet sharing one state key (or a single account given a fleet's prefix), a state key in
 * another region than its bucket.
 */
export function checkBackend(backend: BackendSettings, fleet: boolean, problems: Problems): void {
  if (backend.type !== "s3") return;
  const { bucket, key, keyPrefix, kmsKeyId } = backend.fields;
  const bucketProblem = bucket ? bucketNameProblem(bucket.value) : undefined;
  if (bucketProblem) problems.error(`${bucket.origin}: "${bucket.value}" is not a valid S3 bucket name (${bucketProblem})`);
  if (fleet && key) problems.error(`${key.origin}: a fleet cannot share one state key; remove it and set backend.keyPrefix (each account's key is <keyPrefix>/<account>/terraform.tfstate)`);
  if (!fleet && keyPrefix) problems.error(`${keyPrefix.origin}: applies to a fleet; without one, set backend.key (or TERRAFORM_STATE_BUCKET_KEY)`);
  const region = backend.fields.region?.value ?? STORAGE_DEFAULTS.stateBucketRegion;
  const keyRegion = kmsKeyId ? /^arn:[^:]+:kms:([^:]+):/.exec(kmsKeyId.value)?.[1] : undefined;
  if (keyRegion && keyRegion !== region) {
    problems.error(`${kmsKeyId.origin}: "${kmsKeyId.value}" is a key in ${keyRegion}, but the state bucket is in ${region}; S3 encrypts with a key of the bucket's region`);
  }
}

/** Where the bootstrap stack keeps its own state, relative to the synth output folder (its stack's folder). */
export const BOOTSTRAP_STATE_PATH = `stacks/${BOOTSTRAP_STACK_NAME}/terraform.tfstate`;

/**
 * The backend with the state key bootstrap made, when none is configured: the S3 backend cannot
 * look it up (it takes the key's ARN or id, and an alias could be repointed to another key, while
 * the state bucket's policy admits only the state key's ARN), so synth reads it from the bootstrap
 * stack's local state (`outputs`, its `state_kms_key_arn`), where `npm run bootstrap` leaves it.
 * Only a state that made this backend's bucket counts. Without it (before the first bootstrap, or
 * on a machine without that file) the backend stays without a key, and deploy refuses to run
 * (scripts/cdktf-run.ts) rather than have Terraform ask S3 for SSE-S3, which the bucket refuses.
 */
export function withBootstrapStateKey(
  backend: BackendSettings,
  project: string,
  accountId: string | undefined,
  outputs: (() => Readonly<Record<string, string>> | undefined) | undefined,
): BackendSettings {
  if (backend.type !== "s3" || backend.fields.kmsKeyId || accountId === undefined || !outputs) return backend;
  const bucket = stackBackend(backend, { project, environment: BOOTSTRAP_STACK_NAME, deploymentAccount: accountId });
  if (bucket.type !== "s3") return backend;
  const applied = outputs();
  const keyArn = applied?.state_kms_key_arn;
  if (!applied || applied.state_bucket !== bucket.bucket || applied.state_region !== bucket.region || !keyArn || !STATE_KMS_KEY_PATTERN.test(keyArn)) return backend;
  return { ...backend, fields: { ...backend.fields, kmsKeyId: { value: keyArn, origin: `${BOOTSTRAP_STATE_PATH} (output state_kms_key_arn)` } } };
}

/**
 * One stack's backend: its own state key (or workspace) under the configured backend. A fleet
 * account's stack, or a role stack of an organization, is named by `accountName`.
 */
export function stackBackend(backend: BackendSettings, naming: { project: string; environment: string; accountName?: string; deploymentAccount?: string }): StateBackend {
  const field = (name: string) => backend.fields[name]?.value;
  const { project, environment, accountName, deploymentAccount } = naming;
  if (backend.type === "hcp") {
    return {
      type: "hcp",
      organization: field("organization") ?? "",
      workspace: `${field("workspacePrefix") ?? `${project}-`}${accountName ?? environment}`,
      hostname: field("hostname") ?? STORAGE_DEFAULTS.hcpHostname,
    };
  }
  const region = field("region") ?? STORAGE_DEFAULTS.stateBucketRegion;
  const bucket = field("bucket") ?? (deploymentAccount ? stateBucketName(project, deploymentAccount, region) : undefined);
  const key = accountName ? `${field("keyPrefix") ?? project}/${accountName}/terraform.tfstate` : (field("key") ?? `${project}/${environment}/terraform.tfstate`);
  return { type: "s3", bucket, key, region, kmsKeyId: field("kmsKeyId") };
}

/** The account stack's backend for a region stack: its own state object beside the account's, or its own workspace. */
export function regionStackBackend(backend: StateBackend, suffix: string): StateBackend {
  if (backend.type === "hcp") return { ...backend, workspace: `${backend.workspace}-${suffix}` };
  const slash = backend.key.lastIndexOf("/");
  return { ...backend, key: `${backend.key.slice(0, slash + 1)}${suffix}/${backend.key.slice(slash + 1)}` };
}

/**
 * The bootstrap stack, when the account is known (accountId) and state is in S3: one bucket for
 * the whole configuration (a fleet keeps every member's state in its deployment account's bucket).
 */
export function bootstrapConfig(backend: StateBackend | undefined, project: string, accountId: string | undefined, tags: Readonly<Record<string, string>>): BootstrapConfig | undefined {
  if (backend?.type !== "s3" || backend.bucket === undefined || accountId === undefined) return undefined;
  return { stackName: BOOTSTRAP_STACK_NAME, project, accountId, bucket: backend.bucket, accessLogBucket: stateAccessLogBucketName(project, accountId, backend.region), region: backend.region, tags };
}

/** Whether data survives a destroy, and why: the setting, else the environment's name. */
export function resolveProtectData(view: StackSettingsView, environment: string): { enabled: boolean; reason: string } {
  const given = view.given<boolean>("protectData");
  if (given) return { enabled: given.value, reason: `set by ${given.origin}` };
  return environment.startsWith(PROTECTED_ENVIRONMENT_PREFIX)
    ? { enabled: true, reason: `environment "${environment}" starts with "${PROTECTED_ENVIRONMENT_PREFIX}"` }
    : { enabled: false, reason: `environment "${environment}" does not start with "${PROTECTED_ENVIRONMENT_PREFIX}"; set TAP_PROTECT_DATA=true to keep data` };
}
