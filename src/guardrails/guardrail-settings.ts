/**
 * The guardrails' settings: whether this deployment owns the account's settings, which regions
 * get the regional guardrails and how they are grouped into stacks, the paid services, what is
 * done about each thing AWS allows once per account or region (create, adopt, external), and
 * the risks accepted in their place. Their checks refuse what could not work at apply.
 */
import { ADOPTED_NAME_KEYS, adoptedName, SINGLETONS, SINGLETON_KEYS, SINGLETON_MODES, SingletonKey, SingletonMode } from "../aws/singletons";
import { MIN_REASON_LENGTH } from "../compliance/rule";
import { REGION_SCHEMA, regionKeyProblem } from "../network/network-settings";
import { regionGroups, SUPPORTED_REGION_NAMES } from "../network/regions";
import { DEFAULT_CONFIG_FILE, entryWhere, itOrThem, Problems, RiskyValue, Setting, StackSettingsView } from "../settings/problems";
import { BooleanSchema, IntegerSchema, ListSchema, ObjectSchema, RecordSchema, StringSchema } from "../settings/schema";
import { closest } from "../settings/suggest";
import { regionStackBackend, StateBackend } from "../storage/storage-settings";
import { DEFAULT_REUSE_ACCEPTANCE } from "../identity/identity-settings";
import {
  ACCOUNT_OWNER_RULE_IDS,
  CIS_STANDARD_KEYS,
  CONFIG_RECORDING_FREQUENCIES,
  CONFIG_REQUIRED_RESOURCE_TYPES,
  ConfigRecordingFrequency,
  DEFAULT_SECURITY_HUB_STANDARDS,
  GUARDDUTY_PROTECTION_PLAN_KEYS,
  GUARDDUTY_PROTECTION_PLANS,
  GuardDutyProtectionPlan,
  SECURITY_HUB_STANDARD_KEYS,
  SECURITY_HUB_STANDARDS,
  SecurityHubStandard,
} from "./guardrail-facts";

/** A rule accepted as failing, with the reason and where the acceptance came from. */
export interface AcceptedRisk {
  readonly ruleId: string;
  readonly reason: string;
  /** `TAP_ACCEPT_RISKS`, `tap.config.json $.acceptRisks`, or `tap (...)` for the product's own. */
  readonly source: string;
}

/**
 * A stack of the split layout: the regional guardrails of one group of regions that are guarded
 * but hold no workload, with its own state, deployed after the account's stack.
 */
export interface RegionStackConfig {
  /** `<account stack>-guardrails-<n>`, n the group's place in the supported list (stable as regions change). */
  readonly stackName: string;
  /** Its regions, in the supported list's order. */
  readonly regions: readonly string[];
  /** The account stack's backend with this stack's own state key (S3) or workspace (HCP Terraform). */
  readonly backend: StateBackend;
}

export const GUARDRAIL_DEFAULTS = {
  accountSettings: "manage",
  /** Every supported region is guarded unless guardrailRegions names fewer. */
  guardrailRegions: SUPPORTED_REGION_NAMES,
  layout: "split",
  /** Three providers keep a region stack's plan small: see docs/configuration.md: Layouts. */
  regionsPerStack: 3,
  securityHubStandards: DEFAULT_SECURITY_HUB_STANDARDS,
  /** Every protection plan, as a landing zone turns them on. */
  guardDutyProtection: GUARDDUTY_PROTECTION_PLAN_KEYS as readonly GuardDutyProtectionPlan[],
  configRecordingFrequency: "CONTINUOUS" as ConfigRecordingFrequency,
  configExcludedResourceTypes: [] as readonly string[],
} as const;

/** How the account's AWS Config recorders record (owner only): how often, and which types they leave out. */
export interface ConfigRecordingSettings {
  /**
   * As given; undefined when not given: the recorder then declares no recording mode and AWS
   * records continuously (an emulator without recording modes applies it too).
   */
  readonly frequency?: ConfigRecordingFrequency;
  /** Resource types the recorders do not record; empty: every supported type. */
  readonly excludedResourceTypes: readonly string[];
}

type GuardrailFlags = { readonly guardDuty: boolean; readonly securityHub: boolean; readonly awsConfig: boolean; readonly defaultVpcLockdown: boolean };

/** The account's security alternate contact (FSBP Account.1), as AWS Account Management takes it. */
export interface SecurityContact {
  readonly name: string;
  readonly title: string;
  readonly email: string;
  readonly phone: string;
}

/**
 * The security alternate contact's fields, with the limits PutAlternateContact enforces.
 * @see https://docs.aws.amazon.com/accounts/latest/reference/API_AlternateContact.html
 */
export const SECURITY_CONTACT_SCHEMA = new ObjectSchema(
  {
    name: new StringSchema({ description: "Who (a person or a team).", pattern: /^\S.*$/, maxLength: 64, expected: "1-64 characters" }),
    title: new StringSchema({ description: "Their title or role.", pattern: /^\S.*$/, maxLength: 50, expected: "1-50 characters" }),
    email: new StringSchema({
      description: "An address that is read (a team's list): AWS writes there about abuse, compromised credentials and security notices.",
      pattern: /^[\w+=.#|!&-]+@[\w.-]+\.\w+$/,
      maxLength: 254,
      expected: "an e-mail address of at most 254 characters (letters, digits and _+=.#|!&- before the @)",
    }),
    phone: new StringSchema({ description: "A phone number: digits, spaces, + - ( ).", pattern: /^(?=.*\d)[\s0-9()+-]+$/, maxLength: 25, expected: "at most 25 digits, spaces and + - ( ), for example +1 206 555 0100" }),
  },
  {
    description:
      "The account's security alternate contact (FSBP Account.1), whom AWS writes to about security. Account settings owner only. Required in an organization, where the top level's is every member account's unless an account gives its own; elsewhere a deployment without one is warned, and accepts rule Account.SecurityContact.",
    required: ["name", "title", "email", "phone"],
    textFormat: "json",
  },
);
type Modes = Record<SingletonKey, SingletonMode>;

/**
 * The guardrails' setting definitions. The rule pack's ids arrive as an argument (the app passes
 * them), so that accepted risks are checked against the pack without this module loading it.
 */
export function guardrailFields(knownRuleIds: () => readonly string[]) {
  return {
    ownerRegions: new ListSchema(REGION_SCHEMA, {
      description: "With accountSettings skip (and only then): the regions the deployment that owns the account's settings covers. Every region of this deployment must be among them, else it would lack that owner's per-region settings (API Gateway logging role, EBS default encryption, GuardDuty, AWS Config).",
      unique: true,
      minItems: 1,
    }),
    guardrailRegions: new ListSchema(REGION_SCHEMA, {
      description:
        "Regions that get the account's regional guardrails (EBS encryption by default, IAM Access Analyzer, GuardDuty, Security Hub, AWS Config), which CIS v3.0.0 asks for in every region (1.20, 2.2.1, 3.3). Must include every region of regions. Default: every supported region; leave out a region an organization policy denies (docs/configuration.md: Guarded regions).",
      unique: true,
      minItems: 1,
    }),
    layout: new StringSchema({
      description:
        "split: the workload regions in the account's stack, the other guarded regions in stacks of regionsPerStack regions each, so no Terraform run holds more than a few providers (docs/configuration.md: Layouts). single: every region in one stack (each region adds an AWS provider process to the one plan; measured in docs/configuration.md: Layouts).",
      enum: ["split", "single"],
    }),
    regionsPerStack: new IntegerSchema({
      description: "Guarded regions per stack in the split layout; each is one AWS provider process in a Terraform run (its memory is measured in docs/configuration.md: Layouts). Regions are grouped in the fixed order of tap's supported list, so a stack keeps its regions when others change.",
      min: 1,
      max: SUPPORTED_REGION_NAMES.length,
    }),
    acceptRisks: new RecordSchema(reasonSchema("Why the risk is accepted."), {
      description: "Rules accepted as failing, each with the reason. Reported by synth and npm run audit like a suppression in code.",
      keyCheck: (key) => ruleIdProblem(key, knownRuleIds()),
      textFormat: "pairs",
      example: '"Logs.Retention=debug logs are kept 30 days by policy"',
    }),
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
        description: `What the owner of the account's settings does about each thing AWS allows once per account or region: create (the default), adopt (Terraform imports the existing one) or external (an organization or another tool manages it; its rules are accepted). Keys: ${SINGLETON_KEYS.join(", ")}. See docs/adoption.md: Accounts that already have guardrails.`,
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
    guardDuty: new BooleanSchema("GuardDuty in every guarded region (account settings owner only). Costs per analysed event."),
    guardDutyProtection: new ListSchema(
      new StringSchema({
        description: "A GuardDuty protection plan.",
        enum: GUARDDUTY_PROTECTION_PLAN_KEYS,
        expected: `one of ${GUARDDUTY_PROTECTION_PLAN_KEYS.join(", ")}`,
      }),
      {
        description: `The GuardDuty protection plans turned on with guardDuty in every guarded region (and, in an organization, auto-enabled for every member account): ${GUARDDUTY_PROTECTION_PLAN_KEYS.map((key) => `${key} (${GUARDDUTY_PROTECTION_PLANS[key].title}, FSBP ${GUARDDUTY_PROTECTION_PLANS[key].fsbp})`).join(", ")}. Default: all of them. A plan left out is declared off and needs rule GuardDuty.ProtectionPlans accepted with a reason. Each plan is billed only where its workload exists (EKS clusters, EBS volumes scanned, RDS logins, Lambda network activity, runtime agents), except s3, billed per S3 data event analysed (docs/security.md: GuardDuty protection plans).`,
        unique: true,
      },
    ),
    securityHub: new BooleanSchema("Security Hub with the standards of securityHubStandards in every guarded region (account settings owner only). Billed per security check, per account and region."),
    securityHubStandards: new ListSchema(
      new StringSchema({
        description: "A Security Hub standard.",
        enum: SECURITY_HUB_STANDARD_KEYS,
        expected: `one of ${SECURITY_HUB_STANDARD_KEYS.join(", ")}`,
      }),
      {
        description: `The Security Hub standards every guarded region subscribes (and an organization's central configuration policy enables): ${SECURITY_HUB_STANDARD_KEYS.map((key) => `${key} (${SECURITY_HUB_STANDARDS[key].name})`).join(", ")}. Default fsbp, cis-v5. Without fsbp the rule SecurityHub.FsbpStandard, without a CIS version SecurityHub.CisStandard needs an accepted risk. A deployment subscribed to cis-v3 keeps it only by listing it (docs/security.md: Moving from CIS v3.0.0). Each standard is billed per security check, per account and region.`,
        unique: true,
        minItems: 1,
      },
    ),
    awsConfig: new BooleanSchema("AWS Config recorder and delivery channel in every guarded region (account settings owner only). Billed per configuration item recorded."),
    configRecordingFrequency: new StringSchema({
      description:
        "How often the AWS Config recorders record: CONTINUOUS (every change, the default) or DAILY (at most one configuration item per resource a day, fewer items billed; the history then shows the day's last state). Security Hub's change-triggered controls evaluate when an item is recorded, so DAILY delays their findings up to a day.",
      enum: CONFIG_RECORDING_FREQUENCIES,
    }),
    configExcludedResourceTypes: new ListSchema(
      new StringSchema({ description: "An AWS Config resource type.", pattern: /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, expected: "an AWS Config resource type such as AWS::EC2::NetworkInterface" }),
      {
        description: `Resource types the AWS Config recorders do not record (recording strategy EXCLUSION_BY_RESOURCE_TYPES), to record, and pay for, fewer configuration items. Refused: a type the enabled standards' controls evaluate for what tap builds (${CONFIG_REQUIRED_RESOURCE_TYPES.join(", ")}); Security Hub's Config.1 fails a recorder without them. Default: none, every supported type is recorded.`,
        unique: true,
        minItems: 1,
      },
    ),
    defaultVpcLockdown: new BooleanSchema(
      "Empty the default security group of the default VPC in every guarded region, where there is one (FSBP EC2.2, CIS 5.4; account settings owner only). Its NACL, subnets and routes stay, so workloads there keep their own groups; an instance in the default group loses its traffic.",
    ),
    securityContact: SECURITY_CONTACT_SCHEMA,
  } as const;
}

export const GUARDRAIL_VARIABLES: Readonly<Record<keyof ReturnType<typeof guardrailFields>, string>> = {
  ownerRegions: "TAP_OWNER_REGIONS",
  guardrailRegions: "TAP_GUARDRAIL_REGIONS",
  layout: "TAP_LAYOUT",
  regionsPerStack: "TAP_REGIONS_PER_STACK",
  acceptRisks: "TAP_ACCEPT_RISKS",
  accountSettings: "TAP_ACCOUNT_SETTINGS",
  singletons: "TAP_SINGLETONS",
  adoptNames: "TAP_ADOPT_NAMES",
  guardDuty: "TAP_GUARDDUTY",
  guardDutyProtection: "TAP_GUARDDUTY_PROTECTION",
  securityHub: "TAP_SECURITY_HUB",
  securityHubStandards: "TAP_SECURITY_HUB_STANDARDS",
  awsConfig: "TAP_AWS_CONFIG",
  configRecordingFrequency: "TAP_CONFIG_RECORDING_FREQUENCY",
  configExcludedResourceTypes: "TAP_CONFIG_EXCLUDED_RESOURCE_TYPES",
  defaultVpcLockdown: "TAP_DEFAULT_VPC_LOCKDOWN",
  securityContact: "TAP_SECURITY_CONTACT",
};

/** Turning a paid guardrail off needs an accepted risk for its rule. */
export const GUARDRAIL_RISKY_VALUES: readonly RiskyValue[] = [
  { setting: "guardDuty", ruleId: "GuardDuty.Enabled", risky: (on: boolean) => !on, why: () => "turns off threat detection (rule GuardDuty.Enabled)", ownerOnly: true },
  { setting: "securityHub", ruleId: "SecurityHub.CisStandard", risky: (on: boolean) => !on, why: () => "turns off continuous CIS v3.0.0 checks (CIS 4.16, rule SecurityHub.CisStandard)", ownerOnly: true },
  { setting: "awsConfig", ruleId: "Config.Recorder", risky: (on: boolean) => !on, why: () => "turns off the configuration history (CIS 3.3, rule Config.Recorder)", ownerOnly: true },
  {
    setting: "guardDutyProtection",
    ruleId: "GuardDuty.ProtectionPlans",
    risky: (plans: GuardDutyProtectionPlan[]) => GUARDDUTY_PROTECTION_PLAN_KEYS.some((key) => !plans.includes(key)),
    why: (plans: GuardDutyProtectionPlan[]) =>
      `leaves out GuardDuty protection plans ${GUARDDUTY_PROTECTION_PLAN_KEYS.filter((key) => !plans.includes(key)).map((key) => `${key} (FSBP ${GUARDDUTY_PROTECTION_PLANS[key].fsbp})`).join(", ")} (rule GuardDuty.ProtectionPlans)`,
    ownerOnly: true,
  },
  {
    setting: "securityHubStandards",
    ruleId: "SecurityHub.FsbpStandard",
    risky: (standards: SecurityHubStandard[]) => !standards.includes("fsbp"),
    why: () => "leaves out AWS Foundational Security Best Practices (rule SecurityHub.FsbpStandard)",
    ownerOnly: true,
  },
  {
    setting: "securityHubStandards",
    ruleId: "SecurityHub.CisStandard",
    risky: (standards: SecurityHubStandard[]) => !standards.some((standard) => CIS_STANDARD_KEYS.includes(standard)),
    why: () => "subscribes no CIS AWS Foundations Benchmark version (CIS 4.16, rule SecurityHub.CisStandard)",
    ownerOnly: true,
  },
  {
    setting: "defaultVpcLockdown",
    ruleId: "EC2.DefaultVpcSecurityGroupClosed",
    risky: (on: boolean) => !on,
    why: () => "leaves the default VPCs' default security groups open (FSBP EC2.2, CIS 5.4, rule EC2.DefaultVpcSecurityGroupClosed)",
    ownerOnly: true,
  },
];

/** Why a deployment without a security contact accepts Account.1 (outside an organization). */
export const NO_SECURITY_CONTACT_ACCEPTANCE = "no securityContact is configured: AWS writes about security to the root e-mail address only";

/** A written reason: an accepted risk, or a guardrail left off. */
export function reasonSchema(description: string): StringSchema {
  return new StringSchema({
    description,
    check: (reason) => (reason.trim().length < MIN_REASON_LENGTH ? `is too short; a reason of at least ${MIN_REASON_LENGTH} characters is required` : undefined),
  });
}

/** Why the product itself accepts a rule, and where it says so. */
const BUILT_IN_ACCEPTANCES = {
  singleRegion: {
    ruleIds: ["S3.CrossRegionReplication"],
    reason: "a single-region deployment has no second region to replicate to; add a region to get replication",
    source: "tap (single region)",
  },
  accountSettingsElsewhere: {
    ruleIds: ACCOUNT_OWNER_RULE_IDS,
    reason: "account-wide and regional singletons (trail, alarms, guardrails) belong to the deployment that owns this account's settings",
    source: "tap (accountSettings skip)",
  },
} as const;

/** What the organization a stack belongs to decides for it. */
export interface OrganizationPart {
  /** The regions it guards unless it lists its own. */
  readonly guardrailRegions: readonly string[];
  /** The singletons the organization runs for its members, which they must leave external. */
  readonly managedSingletons: readonly SingletonKey[];
}

/** One stack's guardrails, resolved. */
export interface GuardrailSettings {
  readonly manageAccountSettings: boolean;
  readonly ownerRegions?: readonly string[];
  readonly guardrailRegions: readonly string[];
  readonly singletons: Readonly<Modes>;
  readonly adoptNames: Readonly<Record<string, string>>;
  readonly acceptedRisks: readonly AcceptedRisk[];
  readonly flags: GuardrailFlags;
  /** The Security Hub standards subscribed where Security Hub is on, in the order given. */
  readonly securityHubStandards: readonly SecurityHubStandard[];
  /** The GuardDuty protection plans on where GuardDuty is on. */
  readonly guardDutyProtection: readonly GuardDutyProtectionPlan[];
  readonly configRecording: ConfigRecordingSettings;
  readonly alarmEmail?: string;
  /** The security alternate contact the owner sets; absent elsewhere. */
  readonly securityContact?: SecurityContact;
  /** The split layout (region stacks of regionsPerStack regions), or one stack for every region. */
  readonly layout: { readonly split: boolean; readonly regionsPerStack: number };
}

/**
 * One stack's guardrails, resolved and checked. `regionNames` are its workload regions (the
 * default when none are given), `regionsValid` false when the given ones were refused;
 * `riskyValues` are every concern's values that need an accepted risk.
 */
export function resolveGuardrails(
  view: StackSettingsView,
  problems: Problems,
  context: { regionNames: readonly string[]; regionsValid: boolean; riskyValues: readonly RiskyValue[]; organization?: OrganizationPart },
): GuardrailSettings {
  const { regionNames } = context;
  const singleRegion = regionNames.length === 1;
  const manage = view.valueOf<string>("accountSettings", GUARDRAIL_DEFAULTS.accountSettings) !== "skip";
  const ownerRegions = checkOwnerRegions(view, manage, regionNames, problems);
  const flags = { guardDuty: view.valueOf("guardDuty", true), securityHub: view.valueOf("securityHub", true), awsConfig: view.valueOf("awsConfig", true), defaultVpcLockdown: view.valueOf("defaultVpcLockdown", true) };
  const listed = resolveGuardrailRegions(view, manage, context.regionsValid ? regionNames : [], problems, context.organization?.guardrailRegions);
  const singletons = resolveSingletons(view, problems, { manage, flags, regions: listed, archive: context.organization !== undefined });
  if (context.organization) checkOrganizationManaged(view.given("singletons"), singletons.modes, context.organization.managedSingletons, problems);
  // The blocks on public sharing are tap's own in every region (no singleton another party runs), so the owner guards every listed region.
  const guardrailRegions = listed;
  const securityContact = resolveSecurityContact(view, manage, context.organization !== undefined, problems);
  const acceptedRisks = acceptRisks(view, { manage, singleRegion, modes: singletons.modes, securityHubOff: !flags.securityHub, guardDutyOff: !flags.guardDuty, securityContact: securityContact !== undefined });
  checkRiskyValues(view, context.riskyValues, acceptedRisks, manage, problems);
  if (manage && flags.securityHub && !flags.awsConfig) {
    problems.error(
      `${view.where("securityHub")}: is on while ${view.where("awsConfig")} is off; Security Hub's controls are AWS Config rules and report nothing without a recorder: turn AWS Config on, or Security Hub off`,
    );
  }
  if (manage && !flags.guardDuty && view.given("guardDutyProtection")) problems.warn(`${view.where("guardDutyProtection")}: has no effect: ${view.where("guardDuty")} is false`);
  if (manage && !flags.securityHub && view.given("securityHubStandards")) problems.warn(`${view.where("securityHubStandards")}: has no effect: ${view.where("securityHub")} is false`);
  checkOwnerOnlySettings(view, manage, singleRegion, problems);
  const configRecording = resolveConfigRecording(view, manage && flags.awsConfig, problems);
  const split = view.valueOf<string>("layout", GUARDRAIL_DEFAULTS.layout) === "split";
  if (!split && view.given("regionsPerStack")) problems.warn(`${view.where("regionsPerStack")}: has no effect: ${view.where("layout")} is single, so one stack holds every region`);
  return {
    manageAccountSettings: manage,
    ownerRegions,
    guardrailRegions,
    singletons: singletons.modes,
    adoptNames: singletons.names,
    acceptedRisks,
    flags: { guardDuty: manage && flags.guardDuty, securityHub: manage && flags.securityHub, awsConfig: manage && flags.awsConfig, defaultVpcLockdown: manage && flags.defaultVpcLockdown },
    securityHubStandards: view.valueOf<readonly SecurityHubStandard[]>("securityHubStandards", GUARDRAIL_DEFAULTS.securityHubStandards),
    guardDutyProtection: view.valueOf<readonly GuardDutyProtectionPlan[]>("guardDutyProtection", GUARDRAIL_DEFAULTS.guardDutyProtection),
    configRecording,
    alarmEmail: manage ? view.given<string>("alarmEmail")?.value : undefined,
    securityContact,
    layout: { split: split && manage, regionsPerStack: view.valueOf("regionsPerStack", GUARDRAIL_DEFAULTS.regionsPerStack) },
  };
}

/**
 * A deployment that skips the account's settings relies on the owner deployment for the
 * per-region ones (API Gateway logging role, EBS default encryption, GuardDuty, AWS Config), so
 * it must say where the owner runs, and may deploy only there.
 */
function checkOwnerRegions(view: StackSettingsView, manage: boolean, regions: readonly string[], problems: Problems): readonly string[] | undefined {
  const given = view.given<string[]>("ownerRegions");
  if (manage) {
    if (given) problems.error(`${given.origin}: is only for a deployment with ${view.where("accountSettings")} skip; this one owns the account's settings, in its own regions`);
    return undefined;
  }
  if (!given) {
    problems.error(
      `${view.where("accountSettings")}: is skip, so ${view.where("ownerRegions")} must name the regions the deployment that owns the account's settings covers (its API Gateway logging role, EBS default encryption, GuardDuty and AWS Config are per region)`,
    );
    return undefined;
  }
  for (const region of regions.filter((r) => !given.value.includes(r))) {
    problems.error(
      `${view.where("regions")}: "${region}" is not covered by the deployment that owns the account's settings (${given.origin}: ${given.value.join(", ")}): it would have no API Gateway logging role, EBS default encryption, GuardDuty or AWS Config there; deploy the owner there too and add it to ${given.origin}, or leave the region out`,
    );
  }
  return given.value;
}

/**
 * The regions the owner guards: every workload region (a network without guardrails is refused),
 * then the others in the supported list's order. A deployment that does not own the account's
 * settings guards nothing; its workload regions are the owner's to guard. An organization
 * member guards the regions the organization allows unless it lists its own.
 */
function resolveGuardrailRegions(view: StackSettingsView, manage: boolean, workload: readonly string[], problems: Problems, fallback: readonly string[] = GUARDRAIL_DEFAULTS.guardrailRegions): string[] {
  if (!manage) return [...workload];
  const given = view.given<string[]>("guardrailRegions");
  const listed = given?.value ?? fallback;
  const missing = workload.filter((region) => !listed.includes(region));
  if (given && missing.length > 0) {
    problems.error(
      `${given.origin}: "${listed.join(",")}" leaves out ${missing.map((region) => `"${region}"`).join(", ")} of ${view.where("regions")}; every workload region gets the guardrails, so add ${itOrThem(missing.length)}`,
    );
  }
  return [...workload, ...SUPPORTED_REGION_NAMES.filter((region) => listed.includes(region) && !workload.includes(region))];
}

/**
 * What the owner does about each singleton, and the names adopted ones keep. Refuses what
 * cannot work at apply: a mode for a control that is off, the trail left to others while
 * AWS Config still delivers to tap's trail bucket, an adoption without the name AWS knows
 * the resource by, a name for something not adopted.
 */
function resolveSingletons(
  view: StackSettingsView,
  problems: Problems,
  context: { manage: boolean; flags: GuardrailFlags; regions: readonly string[]; archive: boolean },
): { modes: Modes; names: Record<string, string> } {
  const modesGiven = view.given<Record<string, SingletonMode>>("singletons");
  const namesGiven = view.given<Record<string, string>>("adoptNames");
  if (!context.manage) {
    for (const setting of [modesGiven, namesGiven, view.given("guardrailRegions")]) {
      if (setting) problems.error(`${setting.origin}: is set while ${view.where("accountSettings")} is skip; the deployment that owns the account's settings decides what happens to the account's singletons and which regions it guards`);
    }
    return { modes: Object.fromEntries(SINGLETON_KEYS.map((key) => [key, "external"])) as Modes, names: {} };
  }
  const modes = Object.fromEntries(SINGLETON_KEYS.map((key) => [key, modesGiven?.value[key] ?? defaultMode(key, context.archive)])) as Modes;
  const names = namesGiven?.value ?? {};
  if (modesGiven) checkSingletonModes(view, modesGiven, modes, context, problems);
  checkAdoptNames(view, namesGiven, modes, context.regions, problems);
  // A refused adoptNames has been reported; its names are not also reported missing.
  if (!view.refused("adoptNames")) checkMissingNames(view, modesGiven, names, modes, context.regions, problems);
  return { modes, names };
}

/**
 * A singleton's mode when the configuration names none: create, except AWS Config's
 * service-linked role in an organization's member, which is adopted. AWS Organizations documents
 * that AWSServiceRoleForConfig "is created in your organization's accounts when you enable
 * trusted access" for AWS Config, which the management stack does before any member deploys; a
 * member creating it again would fail at apply ("has been taken in this account"), while
 * adopting an absent one fails at plan (Terraform cannot import it), saying which resource: set
 * singletons.configServiceRole to create for that member (docs/organizations.md: Where AWS's
 * behaviour is uncertain).
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-config.html
 */
function defaultMode(key: SingletonKey, inOrganization: boolean): SingletonMode {
  return key === "configServiceRole" && inOrganization ? "adopt" : "create";
}

/** Modes that cannot take effect: for a control that is off, or a trail left to others while AWS Config delivers to it. */
function checkSingletonModes(view: StackSettingsView, given: Setting<Record<string, SingletonMode>>, modes: Modes, context: { flags: GuardrailFlags; archive: boolean }, problems: Problems): void {
  const { flags } = context;
  for (const flag of ["guardDuty", "securityHub", "awsConfig"] as const) {
    if (!flags[flag] && modes[flag] !== "create") {
      problems.error(`${entryWhere(given, flag)}: "${modes[flag]}" has no effect while ${view.where(flag)} is false; turn ${flag} on, or leave ${flag} out of singletons`);
    }
  }
  if (modes.trail === "external" && flags.awsConfig && modes.awsConfig !== "external" && !context.archive) {
    problems.error(
      `${entryWhere(given, "trail")}: "external" leaves AWS Config without a bucket: tap's recorders deliver to tap's trail bucket; set awsConfig=external too (the organization's recorder delivers to its own archive), or keep the trail`,
    );
  }
  if (given.value.configServiceRole === "adopt" && (!flags.awsConfig || modes.awsConfig === "external")) {
    problems.error(`${entryWhere(given, "configServiceRole")}: has no effect: tap records with AWS Config only when awsConfig is on and not external`);
  }
}

/** Each adopted name names something adopted, in a guarded region. */
function checkAdoptNames(view: StackSettingsView, given: Setting<Record<string, string>> | undefined, modes: Modes, regions: readonly string[], problems: Problems): void {
  for (const key of Object.keys(given?.value ?? {})) {
    const { singleton } = ADOPTED_NAME_KEYS.get(key.split("/")[0])!;
    const region = key.split("/")[1];
    if (modes[singleton] !== "adopt") {
      problems.error(`${entryWhere(given, key)}: names an adopted resource, but singletons ${singleton} is "${modes[singleton]}"; set ${singleton}=adopt or remove the name`);
    } else if (region !== undefined && !regions.includes(region)) {
      problems.error(`${entryWhere(given, key)}: "${region}" is not a guarded region (${view.where("guardrailRegions")}: ${regions.join(", ")})`);
    }
  }
}

/** An adoption needs the name AWS knows the resource by, in every region it is adopted in. */
function checkMissingNames(view: StackSettingsView, modesGiven: Setting<Record<string, SingletonMode>> | undefined, names: Readonly<Record<string, string>>, modes: Modes, regions: readonly string[], problems: Problems): void {
  for (const [key, { singleton }] of ADOPTED_NAME_KEYS) {
    if (modes[singleton] !== "adopt") continue;
    const perRegion = SINGLETONS[singleton].scope === "region";
    const missing = (perRegion ? regions : [undefined]).filter((region) => adoptedName(names, key, region) === undefined);
    if (missing.length === 0) continue;
    const regionNote = perRegion ? ` (for every region, or "${key}/<region>" for ${missing.join(", ")})` : "";
    problems.error(`${entryWhere(modesGiven, singleton)}: "adopt" needs the existing resource's name, which it keeps: set ${view.where("adoptNames")} ${key}=<name>${regionNote}`);
  }
}

/** A member may not take back what the organization runs for it: two owners of one detector or hub fail at apply. */
function checkOrganizationManaged(given: Setting | undefined, modes: Readonly<Modes>, managed: readonly SingletonKey[], problems: Problems): void {
  for (const key of managed.filter((singleton) => modes[singleton] !== "external")) {
    problems.error(`${entryWhere(given, key, "singletons")}: "${modes[key]}" in an organization, which manages ${SINGLETONS[key].description} for its members (docs/organizations.md: Organizations); leave ${key} out, or set it to external`);
  }
}

/** The product's own acceptances first, then the configured ones (which may replace them). */
function acceptRisks(view: StackSettingsView, context: { manage: boolean; singleRegion: boolean; modes: Readonly<Modes>; securityHubOff: boolean; guardDutyOff: boolean; securityContact: boolean }): AcceptedRisk[] {
  const risks = new Map<string, AcceptedRisk>();
  for (const acceptance of [context.singleRegion && BUILT_IN_ACCEPTANCES.singleRegion, !context.manage && BUILT_IN_ACCEPTANCES.accountSettingsElsewhere]) {
    if (!acceptance) continue;
    for (const ruleId of acceptance.ruleIds) risks.set(ruleId, { ruleId, reason: acceptance.reason, source: acceptance.source });
  }
  // An external singleton's rules pass where it is managed: this deployment accepts their absence, saying so.
  for (const key of context.manage ? SINGLETON_KEYS : []) {
    if (context.modes[key] !== "external") continue;
    for (const ruleId of SINGLETONS[key].ruleIds) {
      risks.set(ruleId, { ruleId, reason: `${SINGLETONS[key].description} is managed outside this deployment`, source: `tap (${view.where("singletons")} ${key}=external)` });
    }
  }
  // The product default stands only where the password policy is made: in the owner of the account settings.
  if (!view.isSet("passwordReusePrevention") && context.manage && context.modes.passwordPolicy !== "external") {
    risks.set("IAM.PasswordReusePrevention", { ruleId: "IAM.PasswordReusePrevention", reason: DEFAULT_REUSE_ACCEPTANCE, source: "tap (product default)" });
  }
  // Outside an organization a contact is not required: its absence is accepted, visibly (and warned of).
  if (context.manage && !context.securityContact) {
    risks.set("Account.SecurityContact", { ruleId: "Account.SecurityContact", reason: NO_SECURITY_CONTACT_ACCEPTANCE, source: `tap (no ${view.where("securityContact")})` });
  }
  const configured = view.given<Record<string, string>>("acceptRisks");
  for (const [ruleId, reason] of Object.entries(configured?.value ?? {})) {
    risks.set(ruleId, { ruleId, reason, source: configured!.entryOrigins?.[ruleId] ?? configured!.origin });
  }
  // Security Hub off was accepted as SecurityHub.CisStandard before FSBP had a rule: that reason covers every standard.
  const cis = risks.get("SecurityHub.CisStandard");
  if (context.manage && context.securityHubOff && cis && !risks.has("SecurityHub.FsbpStandard")) {
    risks.set("SecurityHub.FsbpStandard", { ruleId: "SecurityHub.FsbpStandard", reason: cis.reason, source: `${cis.source} (SecurityHub.CisStandard, with ${view.where("securityHub")} false)` });
  }
  // GuardDuty off, accepted as GuardDuty.Enabled, has no detector for protection plans either: that reason covers them.
  const guardDuty = risks.get("GuardDuty.Enabled");
  if (context.manage && context.guardDutyOff && guardDuty && !risks.has("GuardDuty.ProtectionPlans")) {
    risks.set("GuardDuty.ProtectionPlans", { ruleId: "GuardDuty.ProtectionPlans", reason: guardDuty.reason, source: `${guardDuty.source} (GuardDuty.Enabled, with ${view.where("guardDuty")} false)` });
  }
  return [...risks.values()];
}

/** A value that makes a rule fail needs the rule's risk accepted. */
function checkRiskyValues(view: StackSettingsView, riskyValues: readonly RiskyValue[], accepted: readonly AcceptedRisk[], manage: boolean, problems: Problems): void {
  for (const { setting, ruleId, risky, why, ownerOnly } of riskyValues) {
    const given = view.given(setting);
    if (!given || (ownerOnly && !manage) || !risky(given.value) || accepted.some((risk) => risk.ruleId === ruleId)) continue;
    problems.error(`${view.where(setting)}: ${JSON.stringify(given.value)} ${why(given.value)}; change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="${ruleId}=<why>" (or acceptRisks in ${DEFAULT_CONFIG_FILE})`);
  }
}

/** Guardrails belong to the deployment that owns the account's settings; say when a setting cannot take effect. */
function checkOwnerOnlySettings(view: StackSettingsView, manage: boolean, singleRegion: boolean, problems: Problems): void {
  if (!manage) {
    for (const key of ["guardDuty", "guardDutyProtection", "securityHub", "securityHubStandards", "awsConfig", "configRecordingFrequency", "configExcludedResourceTypes", "defaultVpcLockdown", "securityContact", "alarmEmail", "layout", "regionsPerStack"] as const) {
      const setting = view.given(key);
      if (setting && setting.value !== false) problems.warn(`${view.where(key)}: has no effect: ${view.where("accountSettings")} is skip, so the deployment that owns the account's settings decides it`);
    }
  }
  if (singleRegion && view.given("replication")?.value === true) {
    problems.warn(`${view.where("replication")}: has no effect: a single-region deployment has no other region to replicate to`);
  }
}

/**
 * How the recorders record. An excluded type the enabled standards' controls evaluate is refused:
 * Config.1 would fail and those controls would report nothing for it.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1
 */
function resolveConfigRecording(view: StackSettingsView, records: boolean, problems: Problems): ConfigRecordingSettings {
  const frequency = view.given<ConfigRecordingFrequency>("configRecordingFrequency")?.value;
  const excluded = view.given<string[]>("configExcludedResourceTypes");
  const required = (excluded?.value ?? []).filter((type) => CONFIG_REQUIRED_RESOURCE_TYPES.includes(type));
  if (excluded && required.length > 0) {
    problems.error(
      `${excluded.origin}: ${JSON.stringify(excluded.value)} excludes ${required.join(", ")}, which the enabled Security Hub standards' controls evaluate for what tap builds (Security Hub's Config.1 fails a recorder without them; rule Config.RequiredResourceTypes); every one of ${CONFIG_REQUIRED_RESOURCE_TYPES.join(", ")} must be recorded`,
    );
  }
  for (const key of ["configRecordingFrequency", "configExcludedResourceTypes"] as const) {
    const setting = view.given(key);
    if (setting && !records && view.valueOf<string>("accountSettings", GUARDRAIL_DEFAULTS.accountSettings) !== "skip") {
      problems.warn(`${view.where(key)}: has no effect: ${view.where("awsConfig")} is false, so tap runs no AWS Config recorder`);
    }
  }
  return { frequency, excludedResourceTypes: excluded?.value ?? [] };
}

/**
 * The owner's security alternate contact. In an organization every member needs one (the top
 * level's serves every account that gives none of its own), so an empty one is refused; elsewhere
 * its absence is warned of unless the rule is accepted with a reason of the user's own.
 */
function resolveSecurityContact(view: StackSettingsView, manage: boolean, inOrganization: boolean, problems: Problems): SecurityContact | undefined {
  const given = view.given<SecurityContact>("securityContact");
  if (!manage) return undefined;
  if (given) return given.value;
  if (view.refused("securityContact")) return undefined;
  const why = "AWS then writes about abuse, compromised credentials and security notices to the root e-mail address only (FSBP Account.1, rule Account.SecurityContact)";
  if (inOrganization) {
    problems.error(`${view.where("securityContact")}: is required in an organization: ${why}; set it at the top level for every member account (an account may give its own)`);
  } else if (!view.given<Record<string, string>>("acceptRisks")?.value["Account.SecurityContact"]) {
    problems.warn(`${view.where("securityContact")}: is not set: ${why}; set it, or accept the risk with a reason: TAP_ACCEPT_RISKS="Account.SecurityContact=<why>"`);
  }
  return undefined;
}

/**
 * The split layout's region stacks: the guarded regions without workload, in the supported
 * list's fixed groups of `perStack` (regionGroups), one stack per group that has any.
 */
export function regionStacks(stackName: string, regions: readonly string[], perStack: number, backend: StateBackend): RegionStackConfig[] {
  return regionGroups(perStack).flatMap((group, index) => {
    const held = group.filter((region) => regions.includes(region));
    const suffix = `guardrails-${index + 1}`;
    return held.length === 0 ? [] : [{ stackName: `${stackName}-${suffix}`, regions: held, backend: regionStackBackend(backend, suffix) }];
  });
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

function ruleIdProblem(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key)) return undefined;
  const suggestion = closest(key, known);
  return `is not a rule of the pack;${suggestion ? ` did you mean "${suggestion}"?` : ""} see npm run audit for the rule ids`;
}
