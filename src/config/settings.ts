/**
 * Every setting tap reads, assembled from the concerns that own them (network/, storage/,
 * identity/, audit/, guardrails/, organization/ each declare theirs in `<concern>-settings.ts`)
 * beside the few every concern shares: the project, the environment and the account. The file
 * schema, the per-account schema of a fleet and the published JSON Schema are built from here.
 */
import { AUDIT_FIELDS, AUDIT_RISKY_VALUES, AUDIT_VARIABLES } from "../audit/audit-settings";
import { GUARDRAIL_RISKY_VALUES, GUARDRAIL_VARIABLES, guardrailFields } from "../guardrails/guardrail-settings";
import { IDENTITY_FIELDS, IDENTITY_RISKY_VALUES, IDENTITY_VARIABLES } from "../identity/identity-settings";
import { NETWORK_FIELDS, NETWORK_VARIABLE_SCHEMAS, NETWORK_VARIABLES } from "../network/network-settings";
import { ACCOUNT_IDENTITY_FIELDS, ORGANIZATION_SCHEMA } from "../organization/organization-settings";
import { RiskyValue } from "../settings/problems";
import { JsonSchema, ListSchema, ObjectSchema, ObjectValue, Schema, StringSchema } from "../settings/schema";
import { BACKEND_ENV, BACKEND_SCHEMA, STORAGE_FIELDS, STORAGE_RISKY_VALUES, STORAGE_VARIABLES } from "../storage/storage-settings";

export { BACKEND_ENV, ORGANIZATION_SCHEMA };

/** Lowercase letters, digits and single hyphens: what names, environments and stack names allow. */
export const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const PROJECT_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const MAX_PROJECT_LENGTH = 16;

const ENVIRONMENT_FIELD = new StringSchema({
  description: "Environment name: lowercase letters, digits, single hyphens. Names start with <project>-<environment>; names starting with prod turn data protection on.",
  pattern: NAME_PATTERN,
  expected: "lowercase letters, digits and single hyphens (for example dev, staging, prod)",
});

/**
 * The settings a fleet account may set for itself (at the top level they are every stack's
 * defaults), in the order the schema and the docs list them. `knownRuleIds` checks accepted
 * risks against the rule pack; the app passes the pack's ids.
 */
export function stackFields(knownRuleIds: () => readonly string[]) {
  const guardrails = guardrailFields(knownRuleIds);
  return {
    environment: ENVIRONMENT_FIELD,
    regions: NETWORK_FIELDS.regions,
    homeRegion: AUDIT_FIELDS.homeRegion,
    ownerRegions: guardrails.ownerRegions,
    retiringRegions: NETWORK_FIELDS.retiringRegions,
    guardrailRegions: guardrails.guardrailRegions,
    layout: guardrails.layout,
    regionsPerStack: guardrails.regionsPerStack,
    vpcCidrs: NETWORK_FIELDS.vpcCidrs,
    availabilityZoneCount: NETWORK_FIELDS.availabilityZoneCount,
    allowedSshCidrs: NETWORK_FIELDS.allowedSshCidrs,
    allowedHttpsCidrs: NETWORK_FIELDS.allowedHttpsCidrs,
    logRetentionDays: AUDIT_FIELDS.logRetentionDays,
    passwordReusePrevention: IDENTITY_FIELDS.passwordReusePrevention,
    endpointPrivateDns: NETWORK_FIELDS.endpointPrivateDns,
    tags: IDENTITY_FIELDS.tags,
    acceptRisks: guardrails.acceptRisks,
    accountSettings: guardrails.accountSettings,
    singletons: guardrails.singletons,
    adoptNames: guardrails.adoptNames,
    protectData: STORAGE_FIELDS.protectData,
    replication: STORAGE_FIELDS.replication,
    guardDuty: guardrails.guardDuty,
    guardDutyProtection: guardrails.guardDutyProtection,
    securityHub: guardrails.securityHub,
    securityHubStandards: guardrails.securityHubStandards,
    awsConfig: guardrails.awsConfig,
    configRecordingFrequency: guardrails.configRecordingFrequency,
    configExcludedResourceTypes: guardrails.configExcludedResourceTypes,
    defaultVpcLockdown: guardrails.defaultVpcLockdown,
    alarmEmail: AUDIT_FIELDS.alarmEmail,
    securityContact: guardrails.securityContact,
    findingsSeverity: AUDIT_FIELDS.findingsSeverity,
  } as const;
}

/**
 * The stack settings as documented (the JSON Schema, the docs' settings table). Accepted risks
 * are checked against the rule pack only by the loader's own copy, which is given the pack's ids:
 * parsing one with this copy throws rather than pass it unchecked.
 */
export const STACK_FIELDS = stackFields(() => {
  throw new Error("STACK_FIELDS describes the settings; parse them with loadConfig, which is given the rule pack's ids");
});

export type StackFields = ReturnType<typeof stackFields>;
export type StackSettings = ObjectValue<StackFields>;
export type StackSettingKey = keyof StackFields;

const VARIABLES: Readonly<Record<Exclude<StackSettingKey, "environment">, string>> = {
  ...NETWORK_VARIABLES,
  ...AUDIT_VARIABLES,
  ...IDENTITY_VARIABLES,
  ...STORAGE_VARIABLES,
  ...GUARDRAIL_VARIABLES,
};

/** Settings with an environment variable, and the variable's name, in the settings' order. */
export const STACK_ENV: Readonly<Record<StackSettingKey, string>> = Object.fromEntries(
  (Object.keys(STACK_FIELDS) as StackSettingKey[]).map((key) => [key, key === "environment" ? "ENVIRONMENT_SUFFIX" : VARIABLES[key]]),
) as Record<StackSettingKey, string>;

/** Where a variable's form differs from the file's. */
export const STACK_ENV_SCHEMAS: Partial<Record<StackSettingKey, Schema<unknown>>> = { ...NETWORK_VARIABLE_SCHEMAS };

/** Record settings whose entries merge from defaults to file to variables to a fleet account. */
export const MERGED_BY_KEY: readonly StackSettingKey[] = ["tags", "acceptRisks", "singletons", "adoptNames"];

/**
 * Settings whose value makes a rule fail; such a value needs an accepted risk naming the rule,
 * checked with the settings so the message names the setting instead of a resource.
 */
export const RISKY_VALUES: readonly RiskyValue[] = [...AUDIT_RISKY_VALUES, ...IDENTITY_RISKY_VALUES, ...STORAGE_RISKY_VALUES, ...GUARDRAIL_RISKY_VALUES];

export const PROJECT_SCHEMA = new StringSchema({
  description: `First part of every name: 1-${MAX_PROJECT_LENGTH} lowercase letters, digits and single hyphens, starting with a letter.`,
  pattern: PROJECT_PATTERN,
  maxLength: MAX_PROJECT_LENGTH,
  expected: `1-${MAX_PROJECT_LENGTH} lowercase letters, digits and single hyphens, starting with a letter`,
});

export const ACCOUNT_ID_SCHEMA = new StringSchema({
  description:
    "The account Terraform runs as: a single-account deployment's account (its providers then refuse any other), or a fleet's deployment account, which holds the fleet's state and assumes each member's role. Names the default state bucket, <project>-tfstate-<accountId>-<state region>, which npm run bootstrap creates.",
  pattern: /^\d{12}$/,
  expected: "a 12-digit AWS account id",
});

/** One fleet account: its identity, then any stack setting of its own. */
export function accountSchema(fields: StackFields) {
  return new ObjectSchema({ ...ACCOUNT_IDENTITY_FIELDS, ...fields }, { description: "One AWS account: its own stack, state and providers.", required: ["id", "name", "role", "environment"] });
}

/** The configuration file's schema, with the stack settings `fields` at its top level and in each fleet account. */
export function fileSchema(fields: StackFields) {
  const fleet = new ObjectSchema(
    { accounts: new ListSchema(accountSchema(fields), { description: "The accounts, one stack each.", minItems: 1 }) },
    { description: "Many accounts from one configuration: top-level settings are their defaults.", required: ["accounts"] },
  );
  return new ObjectSchema(
    {
      $schema: new StringSchema({ description: "Path or URL of this schema, for editors." }),
      project: PROJECT_SCHEMA,
      accountId: ACCOUNT_ID_SCHEMA,
      ...fields,
      backend: BACKEND_SCHEMA,
      fleet,
      organization: ORGANIZATION_SCHEMA,
    },
    { description: "tap configuration. Environment variables override the top-level settings; a fleet account's own settings override both." },
  );
}

export type FileSettings = ObjectValue<ReturnType<typeof fileSchema>["fields"]>;
export type AccountSettings = ObjectValue<ReturnType<typeof accountSchema>["fields"]>;

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
export const KNOWN_VARIABLES: readonly string[] = ["TAP_PROJECT", "TAP_ACCOUNT_ID", ...Object.values(STACK_ENV), ...Object.keys(BACKEND_ENV), ...TOOL_VARIABLES];

/** The published JSON Schema of the configuration file. */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "tap configuration",
    ...fileSchema(STACK_FIELDS).toJsonSchema(),
  };
}
