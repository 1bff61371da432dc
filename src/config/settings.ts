/**
 * Every setting tap reads, defined once: its key in the configuration file, its environment
 * variable, its schema and what it defaults to. The file schema, the per-account schema of a
 * fleet and the published JSON Schema are all built from these definitions.
 */
import { ADMIN_SOURCES_EXPECTED, adminSourcesProblem } from "../network/admin-sources";
import { parseIpv4Cidr } from "../network/cidr";
import { tagKeyProblem, tagValueProblem, TAG_KEYS_CASE_INSENSITIVE, TAG_LIMITS, LOG_RETENTION_DAYS_ALLOWED } from "../aws/limits";
import { PASSWORD_REUSE_PREVENTION } from "../identity/identity-facts";
import { MAX_SSH_SOURCES, NACL_RULES_PER_DIRECTION } from "../network/network-facts";
import { RESERVED_TAG_KEYS } from "../aws/naming";
import { SUPPORTED_REGION_NAMES } from "../network/regions";
import { ADOPTED_NAME_KEYS, SINGLETONS, SINGLETON_KEYS, SINGLETON_MODES } from "../aws/singletons";
import { MIN_REASON_LENGTH } from "../compliance/rule";
import { GUARDRAIL_POLICY_IDS, ORGANIZATION_POLICY_TYPES } from "../organization/organization-facts";
import { closest } from "./suggest";
import {
  BooleanSchema,
  IntegerSchema,
  JsonSchema,
  ListSchema,
  ObjectSchema,
  ObjectValue,
  RecordSchema,
  Schema,
  StringSchema,
  TaggedUnionSchema,
} from "./schema";

/** Lowercase letters, digits and single hyphens: what names, environments and stack names allow. */
export const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const PROJECT_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const MAX_PROJECT_LENGTH = 16;
const CIDR_SHAPE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/;
/** Tap's own tags plus Name: user tags may fill the rest of AWS's 50 per resource. */
export const MAX_USER_TAGS = TAG_LIMITS.maxTagsPerResource - RESERVED_TAG_KEYS.length;
/** Why `key` may not be a user tag: it is one of tap's own, in this case or another. */
function reservedTagKeyProblem(key: string): string | undefined {
  const reserved = RESERVED_TAG_KEYS.find((own) => own.toLowerCase() === key.toLowerCase());
  if (reserved === undefined) return undefined;
  const uses = `use keys other than ${RESERVED_TAG_KEYS.join(", ")}`;
  return reserved === key ? `is set by tap itself; ${uses}` : `is tap's own "${reserved}" in other case: ${TAG_KEYS_CASE_INSENSITIVE}; ${uses}`;
}

export { MIN_REASON_LENGTH };
/**
 * The rule pack's ids, loaded on first use: only a configuration that accepts a risk needs them,
 * and loading every rule costs more than the rest of configuration together (the bench measures
 * configuration load).
 */
let ruleIds: readonly string[] | undefined;
function knownRuleIds(): readonly string[] {
  return (ruleIds ??= (require("../app/rule-pack") as typeof import("../app/rule-pack")).TAP_RULE_PACK.map((rule) => rule.id));
}

const region = new StringSchema({
  description: "An AWS region a new account has enabled by default.",
  enum: SUPPORTED_REGION_NAMES,
  refusal: "is not a supported region",
  expected: `one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
});

const cidr = (description: string) =>
  new StringSchema({
    description,
    pattern: CIDR_SHAPE,
    expected: "an IPv4 CIDR (a.b.c.d/n)",
    check: (value) => {
      const parsed = parseIpv4Cidr(value);
      return typeof parsed === "string" ? parsed : undefined;
    },
  });

const flag = (description: string) => new BooleanSchema(description);

/** An SSH source: world-open ones, IPv6 included, get their own message before the IPv4 shape check. */
const sshSource = new StringSchema({
  description: "A source allowed to reach workloads on SSH (22).",
  expected: "an IPv4 CIDR (a.b.c.d/n)",
  check: (value) => {
    const world = adminSourcesProblem([value], "SSH");
    if (world && /\/0$/.test(value)) return `${world.replace(/^"[^"]*" /, "")}; expected ${ADMIN_SOURCES_EXPECTED}`;
    const parsed = CIDR_SHAPE.test(value) ? parseIpv4Cidr(value) : "is not allowed; expected an IPv4 CIDR (a.b.c.d/n)";
    return typeof parsed === "string" ? parsed : undefined;
  },
});

/** Settings a fleet account may set for itself; at the top level they are every stack's defaults. */
export const STACK_FIELDS = {
  environment: new StringSchema({
    description: "Environment name: lowercase letters, digits, single hyphens. Names start with <project>-<environment>; names starting with prod turn data protection on.",
    pattern: NAME_PATTERN,
    expected: "lowercase letters, digits and single hyphens (for example dev, staging, prod)",
  }),
  regions: new ListSchema(region, {
    description: "Regions to deploy, in order; the first is the home region unless homeRegion says otherwise.",
    unique: true,
    minItems: 1,
  }),
  homeRegion: new StringSchema({
    description: "Region of the account-wide resources: the trail and its bucket, IAM on its provider, AWS Config's recording of global resources. One of regions. Default: the first of regions; set it so reordering regions never moves the trail (README: Moving the home region).",
    enum: SUPPORTED_REGION_NAMES,
    refusal: "is not a supported region",
    expected: `one of ${SUPPORTED_REGION_NAMES.join(", ")}`,
  }),
  ownerRegions: new ListSchema(region, {
    description: "With accountSettings skip (and only then): the regions the deployment that owns the account's settings covers. Every region of this deployment must be among them, else it would lack that owner's per-region settings (API Gateway logging role, EBS default encryption, GuardDuty, AWS Config).",
    unique: true,
    minItems: 1,
  }),
  retiringRegions: new ListSchema(region, {
    description: "Regions being removed: their providers stay declared, with no resources, so Terraform can destroy what state still holds there.",
    unique: true,
  }),
  guardrailRegions: new ListSchema(region, {
    description:
      "Regions that get the account's regional guardrails (EBS encryption by default, IAM Access Analyzer, GuardDuty, Security Hub, AWS Config), which CIS v3.0.0 asks for in every region (1.20, 2.2.1, 3.3). Must include every region of regions. Default: every supported region; leave out a region an organization policy denies (README: Guarded regions).",
    unique: true,
    minItems: 1,
  }),
  layout: new StringSchema({
    description:
      "split: the workload regions in the account's stack, the other guarded regions in stacks of regionsPerStack regions each, so no Terraform run holds more than a few providers (README: Layouts). single: every region in one stack (a plan needs about 0.25 GB more per region; 4.3 GB at 17, measured by npm run bench).",
    enum: ["split", "single"],
  }),
  regionsPerStack: new IntegerSchema({
    description: "Guarded regions per stack in the split layout; each is one AWS provider process (about 0.25 GB at plan) in a Terraform run. Regions are grouped in the fixed order of tap's supported list, so a stack keeps its regions when others change.",
    min: 1,
    max: SUPPORTED_REGION_NAMES.length,
  }),
  vpcCidrs: new RecordSchema(cidr("VPC CIDR of the region, /16 to /24."), {
    description: "VPC CIDR per region, keyed by region; regions not listed get their fixed default 10.<n>.0.0/16.",
    keyCheck: (key) => regionKeyProblem(key),
    keyPattern: /^[a-z]{2}-[a-z]+-\d$/,
    textFormat: "json",
    example: '{"us-east-1": "10.100.0.0/16"}',
  }),
  availabilityZoneCount: new IntegerSchema({ description: "Availability zones per region (us-west-1 always gets its two).", min: 2, max: 3 }),
  allowedSshCidrs: new ListSchema(sshSource, {
    description: `SSH (22) sources; [] for no SSH rule. Default: the region's VPC CIDR. Sources wider than /8, or that together cover more than a /8 of public addresses, are refused. At most ${MAX_SSH_SOURCES}.`,
    unique: true,
    maxItems: { count: MAX_SSH_SOURCES, why: `(each is an entry of the default network ACL, and AWS allows ${NACL_RULES_PER_DIRECTION} per direction)` },
    emptyText: "none",
  }),
  allowedHttpsCidrs: new ListSchema(cidr("A source allowed to reach workloads on HTTPS (443)."), {
    description: "HTTPS (443) sources; [] for no HTTPS rule. Default: the region's VPC CIDR.",
    unique: true,
    emptyText: "none",
  }),
  logRetentionDays: new IntegerSchema({
    description: "Retention of every log group in days (0 = never expire). Below 365 needs an accepted risk for Logs.Retention.",
    oneOf: LOG_RETENTION_DAYS_ALLOWED,
    refusal: "is not a retention CloudWatch Logs accepts",
  }),
  passwordReusePrevention: new IntegerSchema({
    description: "Previous passwords IAM users may not reuse. Below 24 (CIS 1.9) needs an accepted risk for IAM.PasswordReusePrevention, except the product default of 5.",
    min: PASSWORD_REUSE_PREVENTION.min,
    max: PASSWORD_REUSE_PREVENTION.max,
  }),
  endpointPrivateDns: flag("Private DNS on the execute-api endpoint: every execute-api name then resolves to the endpoint inside the VPC."),
  tags: new RecordSchema(new StringSchema({ description: "Tag value.", check: (value) => tagValueProblem(value) }), {
    description: `Extra tags on every resource; the keys ${RESERVED_TAG_KEYS.join(", ")} are tap's own. At most ${MAX_USER_TAGS}, so no resource passes AWS's ${TAG_LIMITS.maxTagsPerResource}.`,
    keyCheck: (key) => reservedTagKeyProblem(key) ?? tagKeyProblem(key),
    maxEntries: MAX_USER_TAGS,
    caseInsensitiveKeys: TAG_KEYS_CASE_INSENSITIVE,
    textFormat: "json",
    example: '{"CostCenter":"1234"}',
  }),
  acceptRisks: new RecordSchema(
    new StringSchema({
      description: "Why the risk is accepted.",
      check: (reason) => (reason.trim().length < MIN_REASON_LENGTH ? `is too short; a reason of at least ${MIN_REASON_LENGTH} characters is required` : undefined),
    }),
    {
      description: "Rules accepted as failing, each with the reason. Reported by synth and npm run audit like a suppression in code.",
      keyCheck: (key) => ruleIdProblem(key),
      textFormat: "pairs",
      example: '"Logs.Retention=debug logs are kept 30 days by policy"',
    },
  ),
  accountSettings: new StringSchema({
    description: "manage: this deployment owns the account-wide settings (password policy, API Gateway role, CloudTrail, guardrails). skip: another deployment in the account owns them.",
    enum: ["manage", "skip"],
  }),
  singletons: new RecordSchema(
    new StringSchema({
      description: "create: tap creates it (fails where one exists); adopt: import the existing one and manage it; external: someone else manages it, tap creates nothing.",
      enum: SINGLETON_MODES,
      expected: SINGLETON_MODES.join(", "),
    }),
    {
      description: `What the owner of the account's settings does about each thing AWS allows once per account or region: create (the default), adopt (Terraform imports the existing one) or external (an organization or another tool manages it; its rules are accepted). Keys: ${SINGLETON_KEYS.join(", ")}. See README: Accounts that already have guardrails.`,
      keyCheck: (key) => singletonKeyProblem(key),
      keyPattern: new RegExp(`^(${SINGLETON_KEYS.join("|")})$`),
      textFormat: "pairs",
      example: '"awsConfig=adopt;guardDuty=external"',
    },
  ),
  adoptNames: new RecordSchema(new StringSchema({ description: "The existing resource's name.", pattern: /^[\w.:+=@/-]{1,256}$/, expected: "a name of 1-256 letters, digits and _.:+=@/-" }), {
    description: `Names of adopted resources, which they keep: ${[...ADOPTED_NAME_KEYS.entries()].map(([key, { singleton, name }]) => `${key} (${singleton}${name.default ? `, default "${name.default}"` : ", required"})`).join(", ")}. "<key>/<region>" names one region's.`,
    keyCheck: (key) => adoptNameKeyProblem(key),
    textFormat: "pairs",
    example: '"configRecorder=default;accessAnalyzer/eu-west-1=ConsoleAnalyzer-1a2b"',
  }),
  protectData: flag("Keep data on destroy: buckets refuse deletion while they hold objects and buckets, keys and the password policy carry prevent_destroy. Default: on for environments starting with prod."),
  replication: flag("Replicate each region's data bucket to the next configured region (a ring). Default: on when there are two regions or more."),
  guardDuty: flag("GuardDuty in every guarded region (account settings owner only). Costs per analysed event."),
  securityHub: flag("Security Hub with the CIS AWS Foundations v3.0.0 standard in every guarded region (account settings owner only). Costs per check."),
  awsConfig: flag("AWS Config recorder and delivery channel in every guarded region (account settings owner only). Costs per configuration item."),
  alarmEmail: new StringSchema({
    description: "E-mail address subscribed to the CIS alarm topic (the subscription must be confirmed from the mail).",
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    expected: "an e-mail address",
  }),
} as const;

export type StackSettings = ObjectValue<typeof STACK_FIELDS>;
export type StackSettingKey = keyof typeof STACK_FIELDS;

/** Settings with an environment variable, and the variable's name. */
export const STACK_ENV: Readonly<Record<StackSettingKey, string>> = {
  environment: "ENVIRONMENT_SUFFIX",
  regions: "TAP_REGIONS",
  homeRegion: "TAP_HOME_REGION",
  ownerRegions: "TAP_OWNER_REGIONS",
  retiringRegions: "TAP_RETIRING_REGIONS",
  guardrailRegions: "TAP_GUARDRAIL_REGIONS",
  layout: "TAP_LAYOUT",
  regionsPerStack: "TAP_REGIONS_PER_STACK",
  vpcCidrs: "TAP_VPC_CIDRS",
  availabilityZoneCount: "TAP_AZ_COUNT",
  allowedSshCidrs: "TAP_ALLOWED_SSH_CIDRS",
  allowedHttpsCidrs: "TAP_ALLOWED_HTTPS_CIDRS",
  logRetentionDays: "TAP_LOG_RETENTION_DAYS",
  passwordReusePrevention: "TAP_PASSWORD_REUSE_PREVENTION",
  endpointPrivateDns: "TAP_ENDPOINT_PRIVATE_DNS",
  tags: "TAP_TAGS",
  acceptRisks: "TAP_ACCEPT_RISKS",
  accountSettings: "TAP_ACCOUNT_SETTINGS",
  singletons: "TAP_SINGLETONS",
  adoptNames: "TAP_ADOPT_NAMES",
  protectData: "TAP_PROTECT_DATA",
  replication: "TAP_REPLICATION",
  guardDuty: "TAP_GUARDDUTY",
  securityHub: "TAP_SECURITY_HUB",
  awsConfig: "TAP_AWS_CONFIG",
  alarmEmail: "TAP_ALARM_EMAIL",
};

/**
 * Where a variable's form differs from the file's. TAP_VPC_CIDRS lists one CIDR per region
 * in TAP_REGIONS order (the variable predates the file); the file keys them by region.
 */
export const STACK_ENV_SCHEMAS: Partial<Record<StackSettingKey, Schema<unknown>>> = {
  vpcCidrs: new ListSchema(cidr("VPC CIDR."), { description: "One VPC CIDR per region, in TAP_REGIONS order." }),
};

/** Record settings whose entries merge from defaults to file to variables to a fleet account. */
export const MERGED_BY_KEY: readonly StackSettingKey[] = ["tags", "acceptRisks", "singletons", "adoptNames"];

export const PROJECT_SCHEMA = new StringSchema({
  description: `First part of every name: 1-${MAX_PROJECT_LENGTH} lowercase letters, digits and single hyphens, starting with a letter.`,
  pattern: PROJECT_PATTERN,
  maxLength: MAX_PROJECT_LENGTH,
  expected: `1-${MAX_PROJECT_LENGTH} lowercase letters, digits and single hyphens, starting with a letter`,
});

/** Terraform's S3 backend takes a key id or key ARN only (no alias): its own check, so a value that synthesizes also initializes. */
export const STATE_KMS_KEY_PATTERN =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([a-f0-9]{8}-[a-f0-9]{4}-[1-5][a-f0-9]{3}-[ab89][a-f0-9]{3}-[a-f0-9]{12}|mrk-[a-f0-9]{32})$/;

export const ACCOUNT_ID_SCHEMA = new StringSchema({
  description:
    "The account Terraform runs as: a single-account deployment's account (its providers then refuse any other), or a fleet's deployment account, which holds the fleet's state and assumes each member's role. Names the default state bucket, <project>-tfstate-<accountId>-<state region>, which npm run bootstrap creates.",
  pattern: /^\d{12}$/,
  expected: "a 12-digit AWS account id",
});

export const BACKEND_SCHEMA = new TaggedUnionSchema(
  {
    s3: new ObjectSchema(
      {
        bucket: new StringSchema({
          description: "State bucket. Default: <project>-tfstate-<accountId>-<region>, unique to the account and region; npm run bootstrap creates it.",
          expected: "a valid S3 bucket name",
        }),
        kmsKeyId: new StringSchema({
          description: "KMS key Terraform encrypts state objects with (the bootstrap stack's state_kms_key_arn output). Terraform's S3 backend takes a key id or key ARN, not an alias. Default: SSE-S3.",
          pattern: STATE_KMS_KEY_PATTERN,
          expected: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or key id; Terraform's S3 backend refuses aliases",
        }),
        region: region,
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

const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const accountEmail = new StringSchema({
  description: "The account's root e-mail address, as AWS Organizations holds it; an organization's accounts need it (tap adopts them into their organizational units, never creates or renames them).",
  pattern: EMAIL_PATTERN,
  maxLength: 64,
  expected: "an e-mail address of at most 64 characters",
});
const accountName = new StringSchema({
  description: "Stack name of the account (cdktf.out/stacks/<name>, its state key and workspace).",
  pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
  maxLength: 40,
  expected: "up to 40 lowercase letters, digits and single hyphens, starting with a letter",
});
const accountId = new StringSchema({ description: "12-digit AWS account id.", pattern: /^\d{12}$/, expected: "a 12-digit AWS account id" });
const accountRole = new StringSchema({
  description: "Role the providers assume in the account: a role name, or the full role ARN.",
  pattern: /^([\w+=,.@-]{1,64}|arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+)$/,
  expected: "an IAM role name or an arn:aws:iam::<account>:role/<name> ARN",
});

export const ACCOUNT_SCHEMA = new ObjectSchema(
  {
    id: accountId,
    name: accountName,
    role: accountRole,
    email: accountEmail,
    ...STACK_FIELDS,
  },
  { description: "One AWS account: its own stack, state and providers.", required: ["id", "name", "role", "environment"] },
);

const roleAccount = (description: string) =>
  new ObjectSchema({ id: accountId, name: accountName, role: accountRole, email: accountEmail }, { description, required: ["id", "name", "role", "email"] });

/** The organization layer (README: Organizations): which accounts hold which role, the organizational units, the guardrail policies. */
export const ORGANIZATION_SCHEMA = new ObjectSchema(
  {
    id: new StringSchema({
      description: "The existing organization's id, which tap adopts: Terraform imports it to manage its trusted access and policy types (aws organizations create-organization --feature-set ALL creates one).",
      pattern: /^o-[a-z0-9]{10,32}$/,
      expected: "an organization id (o- and 10 to 32 lowercase letters or digits)",
    }),
    managementAccount: new ObjectSchema(
      { id: accountId, role: accountRole },
      { description: "The management account: trusted access, delegated administrators, organizational units, guardrail policies and the organization trail. Without role, the ambient credentials must be its own.", required: ["id"] },
    ),
    securityAccount: roleAccount("The delegated administrator of GuardDuty, Security Hub, AWS Config and IAM Access Analyzer (never the management account: AWS refuses it)."),
    logArchiveAccount: roleAccount("The account holding the organization trail's bucket and key, which AWS Config of every member also delivers to."),
    organizationalUnits: new ListSchema(
      new ObjectSchema(
        {
          name: new StringSchema({ description: "The OU's name (under the root).", pattern: /^[A-Za-z0-9][A-Za-z0-9 _-]{0,127}$/, expected: "1-128 letters, digits, spaces, _ and -" }),
          accounts: new ListSchema(accountName, { description: "Names of the accounts it holds: fleet accounts, the security or the log-archive account.", unique: true }),
        },
        { description: "An organizational unit under the root and the accounts tap moves into it.", required: ["name", "accounts"] },
      ),
      { description: "Organizational units under the root, each with its accounts; an account is in at most one.", minItems: 1 },
    ),
    guardrailTargets: new ListSchema(new StringSchema({ description: "root, or the name of one of organizationalUnits.", pattern: /^[A-Za-z0-9][A-Za-z0-9 _-]{0,127}$/ }), {
      description: "Where the guardrail policies are attached: root (every account but the management account, which SCPs never restrict) or organizational units. Default: root.",
      unique: true,
      minItems: 1,
    }),
    allowedRegions: new ListSchema(region, {
      description: "Regions the DenyOutsideRegions guardrail leaves open; every region an account deploys, guards or retires must be one. Default: every such region.",
      unique: true,
      minItems: 1,
    }),
    otherTrustedServices: new ListSchema(
      new StringSchema({ description: "A service principal.", pattern: /^[a-z0-9.-]+\.amazonaws\.com$/, expected: "a service principal (<service>.amazonaws.com)" }),
      {
        description: "Services the organization already trusts besides tap's (sso.amazonaws.com, controltower.amazonaws.com, ...): tap manages the organization's whole list, so one left out loses its trusted access at the next deploy.",
        unique: true,
      },
    ),
    otherPolicyTypes: new ListSchema(
      new StringSchema({ description: "A policy type.", enum: ORGANIZATION_POLICY_TYPES.filter((type) => type !== "SERVICE_CONTROL_POLICY") }),
      { description: "Policy types the organization already has enabled besides service control policies: tap manages the whole list.", unique: true },
    ),
    acceptRisks: new RecordSchema(
      new StringSchema({
        description: "Why the guardrail is left off.",
        check: (reason) => (reason.trim().length < MIN_REASON_LENGTH ? `is too short; a reason of at least ${MIN_REASON_LENGTH} characters is required` : undefined),
      }),
      {
        description: `Guardrail policies left off, each with the reason: ${GUARDRAIL_POLICY_IDS.join(", ")}.`,
        keyCheck: (key) => ((GUARDRAIL_POLICY_IDS as readonly string[]).includes(key) ? undefined : `is not a guardrail policy; expected one of ${GUARDRAIL_POLICY_IDS.join(", ")}`),
        textFormat: "pairs",
        example: '"DenyRootUser=break-glass procedures still use the root user"',
      },
    ),
  },
  {
    description: "An AWS Organization around the fleet: its accounts become members whose GuardDuty, Security Hub, IAM Access Analyzer and trail the organization manages.",
    required: ["id", "managementAccount", "securityAccount", "logArchiveAccount", "organizationalUnits"],
  },
);

export const FLEET_SCHEMA = new ObjectSchema(
  { accounts: new ListSchema(ACCOUNT_SCHEMA, { description: "The accounts, one stack each.", minItems: 1 }) },
  { description: "Many accounts from one configuration: top-level settings are their defaults.", required: ["accounts"] },
);

export const FILE_SCHEMA = new ObjectSchema(
  {
    $schema: new StringSchema({ description: "Path or URL of this schema, for editors." }),
    project: PROJECT_SCHEMA,
    accountId: ACCOUNT_ID_SCHEMA,
    ...STACK_FIELDS,
    backend: BACKEND_SCHEMA,
    fleet: FLEET_SCHEMA,
    organization: ORGANIZATION_SCHEMA,
  },
  { description: "tap configuration. Environment variables override the top-level settings; a fleet account's own settings override both." },
);

export type FileSettings = ObjectValue<typeof FILE_SCHEMA.fields>;
export type AccountSettings = ObjectValue<typeof ACCOUNT_SCHEMA.fields>;

/** Variables outside the settings that tap's tools read; the app knows and ignores them. */
export const TOOL_VARIABLES: readonly string[] = [
  "TAP_CONFIG",
  "TAP_TERRAFORM_PROVIDER_MIRROR",
  "TAP_SKIP_TERRAFORM_TESTS",
  "TAP_SKIP_APPLY_TESTS",
  "TAP_REQUIRED_TIER",
  "TAP_CHECKOV",
  "TAP_MOTO_SERVER",
  "TAP_BENCH_RSS_FILE",
  "TAP_TOKEN_STACK_TRACES",
];

/** Every variable tap knows: settings, backend settings and tool variables. */
export const KNOWN_VARIABLES: readonly string[] = [
  "TAP_PROJECT",
  "TAP_ACCOUNT_ID",
  ...Object.values(STACK_ENV),
  ...Object.keys(BACKEND_ENV),
  ...TOOL_VARIABLES,
];

/** The published JSON Schema of the configuration file. */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "tap configuration",
    ...FILE_SCHEMA.toJsonSchema(),
  };
}

function regionKeyProblem(key: string): string | undefined {
  if (SUPPORTED_REGION_NAMES.includes(key)) return undefined;
  const suggestion = closest(key, SUPPORTED_REGION_NAMES);
  return `is not a supported region;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected one of ${SUPPORTED_REGION_NAMES.join(", ")}`;
}

function singletonKeyProblem(key: string): string | undefined {
  if ((SINGLETON_KEYS as readonly string[]).includes(key)) return undefined;
  const suggestion = closest(key, SINGLETON_KEYS);
  return `is not a singleton tap manages;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected one of ${SINGLETON_KEYS.join(", ")}`;
}

function adoptNameKeyProblem(key: string): string | undefined {
  const [base, region, ...rest] = key.split("/");
  const known = [...ADOPTED_NAME_KEYS.keys()];
  if (!ADOPTED_NAME_KEYS.has(base) || rest.length > 0) {
    const suggestion = closest(base, known);
    return `is not a name tap can adopt;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected one of ${known.join(", ")}, optionally followed by /<region>`;
  }
  if (region === undefined) return undefined;
  // A singleton that exists once per region may have another name in each region.
  if (SINGLETONS[ADOPTED_NAME_KEYS.get(base)!.singleton].scope !== "region") return `names an account-wide resource, which has one name; use "${base}" without a region`;
  return regionKeyProblem(region);
}

function ruleIdProblem(key: string): string | undefined {
  if (knownRuleIds().includes(key)) return undefined;
  const suggestion = closest(key, knownRuleIds());
  return `is not a rule of the pack;${suggestion ? ` did you mean "${suggestion}"?` : ""} see npm run audit for the rule ids`;
}
