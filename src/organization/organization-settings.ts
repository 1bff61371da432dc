/**
 * The organization's settings: the fleet's accounts (id, name, role, e-mail), and the
 * organization around them: its management, security and log-archive accounts, its units and
 * where the guardrail policies attach. The checks refuse what AWS Organizations would refuse at
 * apply: an account in two roles or two units, the management account as delegated
 * administrator, more SCPs than a target takes, a member region the guardrails deny.
 */
import type { GuardDutyProtectionPlan, SecurityHubStandard } from "../guardrails/guardrail-facts";
import type { SeverityLabel } from "../audit/findings-facts";
import { SINGLETON_MODES, type SingletonKey, type SingletonMode } from "../aws/singletons";
import { REGION_SCHEMA } from "../network/network-settings";
import { SUPPORTED_REGION_NAMES } from "../network/regions";
import { reasonSchema } from "../guardrails/guardrail-settings";
import { itOrThem, Problems } from "../settings/problems";
import { BooleanSchema, formatJsonPath, JsonPath, ListSchema, ObjectSchema, ObjectValue, RecordSchema, StringSchema } from "../settings/schema";
import { closest } from "../settings/suggest";
import { BOOTSTRAP_STACK_NAME, StateBackend } from "../storage/storage-settings";
import {
  ARCHIVE_CONFIG_PREFIX,
  EXEMPTING_GUARDRAILS,
  GUARDRAIL_POLICY_IDS,
  guardrailDocuments,
  GuardrailPolicyId,
  GuardrailPolicyParams,
  MEMBER_NEUTRAL_ROLE_ARN,
  organizationArchiveNames,
  ORGANIZATION_POLICY_TYPES,
  RCP_LIMITS,
  SCP_LIMITS,
} from "./organization-facts";

/** An account of a fleet: reached by assuming `roleArn`, and nothing else is allowed. */
export interface FleetAccount {
  readonly id: string;
  readonly name: string;
  readonly roleArn: string;
}

/** One of the organization's own accounts (security, log archive): its stack, reached by assuming its role. */
export interface OrganizationRoleAccount extends FleetAccount {
  readonly email: string;
  /** Its stack's state: the fleet's backend with the account name's key or workspace. */
  readonly backend: StateBackend;
}

/** An account an organizational unit holds. */
export interface OrganizationMember {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/**
 * What tap does about an organizational unit, in the account layer's vocabulary: create it; adopt the one of that name under the root
 * (found at plan, imported, then managed); or use it as it is (external: found at plan, never
 * changed; accounts are still moved into it and guardrails attached to it).
 */
export type UnitMode = SingletonMode;
export const UNIT_MODES: readonly UnitMode[] = SINGLETON_MODES;

/** An organizational unit under the root and the accounts tap moves into it. */
export interface OrganizationUnit {
  readonly name: string;
  readonly mode: UnitMode;
  readonly accounts: readonly OrganizationMember[];
}

/** The organization trail: tap's, or one that already runs (Control Tower's, for one). */
export type OrganizationTrailMode = "create" | "external";
export const ORGANIZATION_TRAIL_MODES: readonly OrganizationTrailMode[] = ["create", "external"];

/** The organization layer (issue #18): the three role stacks around the fleet's member stacks. */
export interface OrganizationConfig {
  /** The existing organization (o-...), which the management stack imports. */
  readonly id: string;
  readonly project: string;
  /** Where the organization trail, the log archive, Security Hub's aggregation and the Config aggregator live. */
  readonly homeRegion: string;
  /** Regions the DenyOutsideRegions guardrail leaves open, and where the security services run. */
  readonly allowedRegions: readonly string[];
  readonly management: {
    readonly id: string;
    /** Assumed from the ambient credentials; absent: they are the management account's own. */
    readonly roleArn?: string;
    readonly stackName: string;
    readonly backend: StateBackend;
  };
  readonly security: OrganizationRoleAccount;
  readonly logArchive: OrganizationRoleAccount;
  readonly units: readonly OrganizationUnit[];
  /** The organization trail: tap's (create), or one that already runs, such as Control Tower's (external: tap makes none, nor the CIS alarms on it). */
  readonly trail: OrganizationTrailMode;
  /** Trusted services and policy types the organization keeps besides tap's (the lists are authoritative). */
  readonly otherTrustedServices: readonly string[];
  readonly otherPolicyTypes: readonly string[];
  /** "root", or names of units. */
  readonly guardrailTargets: readonly string[];
  /** Guardrail policies left off, with the reason (organization.acceptRisks). */
  readonly disabledGuardrails: Readonly<Record<string, string>>;
  /** IAM's centralized root access for the members (organization.centralizeRootAccess). */
  readonly centralizeRootAccess: boolean;
  /** Role ARN patterns (arn:aws:iam::*:role/<name>) of the roles that deploy tap in the accounts: the guardrails let only them change what they protect. */
  readonly deploymentRoleArns: readonly string[];
  /** The one break-glass role (arn:aws:iam::*:role/<name>) the guardrails exempt besides them (organization.breakGlassRoleArn). */
  readonly breakGlassRoleArn?: string;
  /** Control Tower manages the organization: its AWSControlTowerExecution role keeps what Control Tower manages (organization.controlTower). */
  readonly controlTower: boolean;
  /** Names of the member stacks (the fleet's accounts), deployed after the organization's stacks. */
  readonly memberStacks: readonly string[];
  /** The management and security stacks' data protection (the deployment's protectData). */
  readonly protect: boolean;
  /**
   * The log archive's: Object Lock, prevent_destroy and no force_destroy, unless the configuration
   * asks for a disposable archive (organization.disposableArchive).
   */
  readonly protectArchive: boolean;
  readonly logRetentionDays: number;
  readonly alarmEmail?: string;
  /** The Security Hub standards the central configuration policy enables (the top level's securityHubStandards). */
  readonly securityHubStandards: readonly SecurityHubStandard[];
  /** The GuardDuty protection plans on the security account's detectors and auto-enabled for every member (the top level's guardDutyProtection). */
  readonly guardDutyProtection: readonly GuardDutyProtectionPlan[];
  /** Lowest Security Hub severity label of the aggregated findings sent to the security account's topic. */
  readonly findingsSeverity: SeverityLabel;
  /** What the security stack does about the security account's own services (organization.securityServices). */
  readonly securityServices: SecurityServiceModes;
  readonly tags: Readonly<Record<string, string>>;
}

/** What the security stack does about each service the security account may already run. */
export interface SecurityServiceModes {
  /** The security account's GuardDuty detector, by allowed region. */
  readonly guardDuty: Readonly<Record<string, SingletonMode>>;
  /** Security Hub's organization configuration (finding aggregator, central configuration, policy). */
  readonly securityHub: SecurityHubMode;
}

/** Security Hub's finding aggregator cannot be found without its ARN (no data source reads it), so it is created or left alone. */
export type SecurityHubMode = Exclude<SingletonMode, "adopt">;

/**
 * The security account's GuardDuty by default: adopted. AWS's guide says designating the
 * delegated administrator enables GuardDuty there in the designated Region ("For this
 * administrator account, GuardDuty gets enabled automatically only in the designated AWS Region"),
 * and the management stack designates it in every allowed Region before the security stack runs.
 * @see https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html
 */
export const SECURITY_SERVICE_DEFAULTS: { readonly guardDuty: SingletonMode; readonly securityHub: SecurityHubMode } = { guardDuty: "adopt", securityHub: "create" };
const SECURITY_SERVICE_KEYS = ["guardDuty", "securityHub"] as const;

/** The organization's management stack (the security and log-archive stacks take their accounts' names). */
export const MANAGEMENT_STACK_NAME = "management";

/** What an organization runs for its members from the security and management accounts: their own stacks leave these to it. */
export const ORGANIZATION_MANAGED_SINGLETONS: readonly SingletonKey[] = ["trail", "guardDuty", "securityHub", "accessAnalyzer"];

/**
 * What the organization runs for its own accounts (their baselines, in the role stacks): what it
 * runs for the members, but Access Analyzer only where the organization's analyzer is, the
 * security account; the management and log-archive accounts get an account analyzer as a
 * single account does (CIS 1.20 asks for one in every account and region).
 */
export function roleManagedSingletons(role: "logArchive" | "management" | "security"): readonly SingletonKey[] {
  return role === "security" ? ORGANIZATION_MANAGED_SINGLETONS : ORGANIZATION_MANAGED_SINGLETONS.filter((key) => key !== "accessAnalyzer");
}

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

/** What names a fleet account; its stack settings come beside these. */
export const ACCOUNT_IDENTITY_FIELDS = { id: accountId, name: accountName, role: accountRole, email: accountEmail } as const;

const roleAccount = (description: string) => new ObjectSchema(ACCOUNT_IDENTITY_FIELDS, { description, required: ["id", "name", "role", "email"] });
const unitName = { pattern: /^[A-Za-z0-9][A-Za-z0-9 _-]{0,127}$/ };

/** The organization layer (docs/organizations.md: Organizations): which accounts hold which role, the organizational units, the guardrail policies. */
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
          name: new StringSchema({ description: "The OU's name (under the root).", ...unitName, expected: "1-128 letters, digits, spaces, _ and -" }),
          mode: new StringSchema({
            description:
              "create (default): tap creates the unit (AWS refuses one whose name exists under the root). adopt: a unit of this name already exists under the root (Control Tower's Security, for one): found at plan, imported and then managed by tap (tags; never deleted). external: it exists and stays its owner's: found at plan, never changed; accounts are moved into it and guardrails attached to it (docs/organizations.md: Control Tower organizations).",
            enum: UNIT_MODES,
          }),
          accounts: new ListSchema(accountName, { description: "Names of the accounts it holds: fleet accounts, the security or the log-archive account.", unique: true }),
        },
        { description: "An organizational unit under the root and the accounts tap moves into it.", required: ["name", "accounts"] },
      ),
      { description: "Organizational units under the root, each with its accounts; an account is in at most one.", minItems: 1 },
    ),
    guardrailTargets: new ListSchema(new StringSchema({ description: "root, or the name of one of organizationalUnits.", ...unitName }), {
      description: "Where the guardrail policies are attached: root (every account but the management account, which SCPs never restrict) or organizational units. Default: root.",
      unique: true,
      minItems: 1,
    }),
    allowedRegions: new ListSchema(REGION_SCHEMA, {
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
      { description: "Policy types the organization already has enabled besides service and resource control policies (which tap enables itself): tap manages the whole list.", unique: true },
    ),
    trail: new StringSchema({
      description:
        "The organization trail. create (default): tap's, in the management account, to the log archive, with the CIS alarms on its log group. external: one already records every account (Control Tower's aws-controltower-BaselineCloudTrail, for one): tap makes no organization trail and no CIS alarms, and the summary says so (docs/organizations.md: Control Tower organizations).",
      enum: ORGANIZATION_TRAIL_MODES,
    }),
    disposableArchive: new BooleanSchema(
      "For a test organization only: the log archive without Object Lock or prevent_destroy, its buckets emptied on destroy (force_destroy). Default: false, the archive protected from its first deploy whatever the environment's name (docs/organizations.md: The log archive).",
    ),
    acceptRisks: new RecordSchema(reasonSchema("Why the guardrail is left off."), {
      description: `Guardrail policies left off, each with the reason: ${GUARDRAIL_POLICY_IDS.join(", ")}.`,
      keyCheck: (key) => ((GUARDRAIL_POLICY_IDS as readonly string[]).includes(key) ? undefined : `is not a guardrail policy; expected one of ${GUARDRAIL_POLICY_IDS.join(", ")}`),
      textFormat: "pairs",
      example: '"DenyRootUser=break-glass procedures still use the root user"',
    }),
    securityServices: new RecordSchema(
      new StringSchema({
        description: "create: tap creates it (fails at apply where one exists); adopt: Terraform imports the existing one, found at plan (the plan fails where there is none); external: another tool runs it, tap declares none of it.",
        enum: SINGLETON_MODES,
        expected: SINGLETON_MODES.join(", "),
      }),
      {
        description:
          'What the security stack does about the security account\'s own services, which delegation, Control Tower or an earlier setup may already run there (docs/organizations.md: What tap adopts in the security account). guardDuty (or "guardDuty/<region>" for one region): the account\'s GuardDuty detector, default adopt (designating the delegated administrator enables GuardDuty there; a plan that cannot find a detector fails and says to set create); create where no detector exists; external: no detector, organization configuration or protection plans in that region. securityHub: create (default: the finding aggregator, central configuration and configuration policy) or external (another tool runs Security Hub\'s organization configuration).',
        keyCheck: securityServiceKeyProblem,
        textFormat: "pairs",
        example: '"guardDuty=adopt;guardDuty/eu-west-1=create;securityHub=external"',
      },
    ),
    breakGlassRoleArn: new StringSchema({
      description:
        "The one break-glass role the guardrails exempt besides the deployment roles, for an emergency no deployment can fix: arn:aws:iam::*:role/<path/name> (the same role name in every account, as the guardrails are the same in every account). The guardrails protect it like the deployment roles (ProtectExemptRoles). Default: none.",
      pattern: MEMBER_NEUTRAL_ROLE_ARN,
      expected: "arn:aws:iam::*:role/<name>: one role, with * for the account (no wildcard in the name)",
    }),
    controlTower: new BooleanSchema(
      "AWS Control Tower manages the organization: its AWSControlTowerExecution role keeps what Control Tower manages in the accounts it enrolls (their AWS Config recorder and delivery channel, CloudTrail, its governed Regions), and nothing else (docs/organizations.md: Who the guardrails exempt). Default: false.",
    ),
    centralizeRootAccess: new BooleanSchema(
      "Centralized root access for the member accounts (IAM RootCredentialsManagement and RootSessions, with IAM's trusted access): root credentials removable from the management account, none for new accounts, root tasks as short sessions from there (docs/organizations.md: Centralized root access). Default: true. Off, members keep root users of their own, which DenyRootUser still denies.",
    ),
  },
  {
    description: "An AWS Organization around the fleet: its accounts become members whose GuardDuty, Security Hub, IAM Access Analyzer and trail the organization manages.",
    required: ["id", "managementAccount", "securityAccount", "logArchiveAccount", "organizationalUnits"],
  },
);

function securityServiceKeyProblem(key: string): string | undefined {
  const [service, region, extra] = key.split("/");
  if (extra === undefined && (SECURITY_SERVICE_KEYS as readonly string[]).includes(service) && (region === undefined || (service === "guardDuty" && SUPPORTED_REGION_NAMES.includes(region)))) return undefined;
  if (service === "guardDuty" && region !== undefined) return `"${region}" is not a supported region; expected guardDuty/<region>, e.g. guardDuty/${SUPPORTED_REGION_NAMES[0]}`;
  const suggestion = closest(service, [...SECURITY_SERVICE_KEYS]);
  return `is not a service of the security account;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected guardDuty, guardDuty/<region> or securityHub`;
}

/** The organization section as the file gives it, after its schema passed. */
export type OrganizationSettings = ObjectValue<typeof ORGANIZATION_SCHEMA.fields>;
type GivenOrganization = Required<Pick<OrganizationSettings, "id" | "managementAccount" | "securityAccount" | "logArchiveAccount" | "organizationalUnits">> & OrganizationSettings;

/** What the organization's checks need of a resolved member stack. */
export interface MemberStack {
  readonly stackName: string;
  readonly account?: FleetAccount;
  readonly regions: readonly { readonly region: string }[];
  readonly guardrailRegions: readonly string[];
  readonly retiringRegions: readonly string[];
  readonly regionStacks: readonly { readonly stackName: string }[];
}

/** A fleet account as the file gives it (its identity; its stack settings are read elsewhere). */
export type GivenAccount = { readonly id?: string; readonly name?: string; readonly role?: string; readonly email?: string };

/** The account a fleet entry (or a role account) reaches, by its role; the role must live in that account. */
export function fleetAccount(account: GivenAccount, path: JsonPath, display: string, problems: Problems): FleetAccount {
  const role = account.role ?? "";
  const roleArn = role.startsWith("arn:") ? role : `arn:aws:iam::${account.id}:role/${role}`;
  const roleAccount = /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1];
  if (role && account.id && roleAccount !== account.id) {
    problems.error(`${display} ${formatJsonPath([...path, "role"])}: "${role}" is a role in account ${roleAccount}, not ${account.id}; expected a role in the account it reaches`);
  }
  return { id: account.id!, name: account.name!, roleArn };
}

/**
 * What an organization gives its members before they are resolved: its regions as their guarded
 * regions (the regions they use unless allowedRegions says), and the log archive their AWS
 * Config delivers to. The services it manages for them are ORGANIZATION_MANAGED_SINGLETONS.
 */
export function organizationForMembers(org: GivenOrganization, project: string, regions: { homeRegion: string; used: readonly string[] }) {
  const used = new Set([regions.homeRegion, ...regions.used]);
  const allowedRegions: readonly string[] = org.allowedRegions ?? SUPPORTED_REGION_NAMES.filter((region) => used.has(region));
  const names = organizationArchiveNames(project, org.logArchiveAccount.id!);
  // A member guards the regions the organization allows (and its own, should the Region guardrail be off).
  return {
    homeRegion: regions.homeRegion,
    allowedRegions,
    member: { delivery: { bucketName: names.bucket, keyPrefix: ARCHIVE_CONFIG_PREFIX }, guardrailRegions: allowedRegions, managedSingletons: ORGANIZATION_MANAGED_SINGLETONS },
  };
}

/** The settings of the whole configuration the organization's own stacks take. */
export interface OrganizationContext {
  readonly project: string;
  readonly display: string;
  readonly homeRegion: string;
  readonly allowedRegions: readonly string[];
  /** Each role stack's backend, by stack name. */
  readonly backendOf: (stackName: string) => StateBackend;
  readonly protect: boolean;
  readonly logRetentionDays: number;
  readonly alarmEmail?: string;
  readonly securityHubStandards: readonly SecurityHubStandard[];
  readonly guardDutyProtection: readonly GuardDutyProtectionPlan[];
  readonly findingsSeverity: SeverityLabel;
  readonly tags: Readonly<Record<string, string>>;
}

/** The organization's own stacks and policies, checked against its members. */
export function resolveOrganization(org: GivenOrganization, stacks: readonly MemberStack[], accounts: readonly GivenAccount[], context: OrganizationContext, problems: Problems): OrganizationConfig {
  const { display, project } = context;
  const at = (...path: JsonPath) => `${display} ${formatJsonPath(["organization", ...path])}`;
  const roleAccountOf = (key: "securityAccount" | "logArchiveAccount"): OrganizationRoleAccount => {
    const given = org[key];
    return { ...fleetAccount(given, ["organization", key], display, problems), email: given.email!, backend: context.backendOf(given.name!) };
  };
  const security = roleAccountOf("securityAccount");
  const logArchive = roleAccountOf("logArchiveAccount");
  const managementRole = org.managementAccount.role;
  const management = {
    id: org.managementAccount.id!,
    roleArn: managementRole ? fleetAccount({ ...org.managementAccount, name: MANAGEMENT_STACK_NAME }, ["organization", "managementAccount"], display, problems).roleArn : undefined,
    stackName: MANAGEMENT_STACK_NAME,
    backend: context.backendOf(MANAGEMENT_STACK_NAME),
  };
  checkRoles({ management, security, logArchive }, accounts, at, problems);
  checkRoleStackNames({ security, logArchive }, stacks, at, display, problems);
  const units = resolveUnits(org, { security, logArchive }, accounts, at, display, problems);
  const guardrailTargets = org.guardrailTargets ?? ["root"];
  guardrailTargets.forEach((target, index) => {
    if (target !== "root" && !units.some((unit) => unit.name === target)) {
      problems.error(`${at("guardrailTargets", index)}: "${target}" is neither root nor one of organizationalUnits (${units.map((unit) => unit.name).join(", ")})`);
    }
  });
  const disabledGuardrails: Record<string, string> = org.acceptRisks ?? {};
  const roleNames = [...new Set([...stacks.map((stack) => stack.account!.roleArn), security.roleArn, logArchive.roleArn].map((arn) => arn.replace(/^arn:aws:iam::\d{12}:role\//, "")))];
  const deploymentRoleArns = roleNames.map((name) => `arn:aws:iam::*:role/${name}`);
  const guardrailParams: GuardrailPolicyParams = {
    project,
    allowedRegions: context.allowedRegions,
    deploymentRoleArns,
    breakGlassRoleArn: org.breakGlassRoleArn,
    controlTower: org.controlTower ?? false,
    logArchive: { accountId: logArchive.id, buckets: Object.values(organizationArchiveNames(project, logArchive.id)).filter((name) => !name.startsWith("alias/")) },
  };
  checkBreakGlass(org.breakGlassRoleArn, deploymentRoleArns, at, problems);
  checkGuardrailsFit(guardrailParams, disabledGuardrails, at, problems);
  const securityServices = resolveSecurityServices(org.securityServices ?? {}, context.allowedRegions, at, problems);
  checkMemberRegions(stacks, context, disabledGuardrails, at, problems);
  return {
    id: org.id,
    project,
    homeRegion: context.homeRegion,
    allowedRegions: context.allowedRegions,
    management,
    security,
    logArchive,
    units,
    trail: (org.trail as OrganizationTrailMode | undefined) ?? "create",
    otherTrustedServices: org.otherTrustedServices ?? [],
    otherPolicyTypes: org.otherPolicyTypes ?? [],
    guardrailTargets,
    disabledGuardrails,
    centralizeRootAccess: org.centralizeRootAccess ?? true,
    deploymentRoleArns,
    breakGlassRoleArn: org.breakGlassRoleArn,
    controlTower: org.controlTower ?? false,
    memberStacks: stacks.map((stack) => stack.stackName),
    protect: context.protect,
    protectArchive: org.disposableArchive !== true,
    logRetentionDays: context.logRetentionDays,
    alarmEmail: context.alarmEmail,
    securityHubStandards: context.securityHubStandards,
    guardDutyProtection: context.guardDutyProtection,
    findingsSeverity: context.findingsSeverity,
    securityServices,
    tags: context.tags,
  };
}

/**
 * Each allowed region's GuardDuty mode (its own entry, else the common one, else adopt), and
 * Security Hub's. Refuses a region the security stack does not run in, and adopting Security
 * Hub's organization configuration, which no data source can find.
 */
function resolveSecurityServices(given: Readonly<Record<string, string>>, allowedRegions: readonly string[], at: At, problems: Problems): SecurityServiceModes {
  for (const key of Object.keys(given)) {
    const region = key.split("/")[1];
    if (region !== undefined && !allowedRegions.includes(region)) {
      problems.error(`${at("securityServices", key)}: "${region}" is not one of ${at("allowedRegions")} (${allowedRegions.join(", ")}), where the security account runs GuardDuty; remove it or allow the region`);
    }
  }
  if (given.securityHub === "adopt") {
    problems.error(`${at("securityServices", "securityHub")}: "adopt" is not possible: Security Hub's finding aggregator is found by its ARN only (no data source reads it); set external if another tool runs Security Hub's organization configuration, or leave it to create`);
  }
  const guardDuty = Object.fromEntries(allowedRegions.map((region) => [region, (given[`guardDuty/${region}`] ?? given.guardDuty ?? SECURITY_SERVICE_DEFAULTS.guardDuty) as SingletonMode]));
  return { guardDuty, securityHub: given.securityHub === "external" ? "external" : SECURITY_SERVICE_DEFAULTS.securityHub };
}

type At = (...path: JsonPath) => string;

/** Each account holds one role; AWS refuses the management account as a delegated administrator. */
function checkRoles(role: { management: { id: string }; security: FleetAccount; logArchive: FleetAccount }, accounts: readonly GivenAccount[], at: At, problems: Problems): void {
  const roles = [
    { path: ["managementAccount", "id"], id: role.management.id, role: "the management account" },
    { path: ["securityAccount", "id"], id: role.security.id, role: "the security account" },
    { path: ["logArchiveAccount", "id"], id: role.logArchive.id, role: "the log-archive account" },
  ];
  roles.forEach(({ path, id, role: name }, index) => {
    const first = roles.findIndex((other) => other.id === id);
    if (first < index) {
      const why = index === 1 && first === 0 ? "AWS Organizations refuses the management account as a delegated administrator" : "each account holds one role";
      problems.error(`${at(...path)}: "${id}" is already ${roles[first].role}; ${why}: choose another account`);
    }
    const member = accounts.findIndex((account) => account.id === id);
    if (member >= 0) problems.error(`${at(...path)}: "${id}" is also ${formatJsonPath(["fleet", "accounts", member])}; ${name} gets its own stack, not a member's: remove it from the fleet`);
  });
}

/** The role stacks' names are their own: no member, region stack or tap stack has them. */
function checkRoleStackNames(role: { security: FleetAccount; logArchive: FleetAccount }, stacks: readonly MemberStack[], at: At, display: string, problems: Problems): void {
  for (const [path, name] of [[["securityAccount", "name"], role.security.name], [["logArchiveAccount", "name"], role.logArchive.name]] as const) {
    const clash = stacks.find((stack) => stack.stackName === name || stack.regionStacks.some((regionStack) => regionStack.stackName === name));
    if (clash) problems.error(`${at(...path)}: "${name}" is also the name of stack "${clash.stackName}"'s account or region stack; choose another name`);
    if (name === MANAGEMENT_STACK_NAME || name === BOOTSTRAP_STACK_NAME) problems.error(`${at(...path)}: "${name}" is the name of tap's own ${name} stack; choose another name`);
  }
  if (role.security.name === role.logArchive.name) problems.error(`${at("logArchiveAccount", "name")}: "${role.logArchive.name}" is also the security account's name; each stack needs its own`);
  if (stacks.some((stack) => stack.stackName === MANAGEMENT_STACK_NAME)) problems.error(`${display} $.fleet.accounts: "${MANAGEMENT_STACK_NAME}" is the organization's management stack; give the account another name`);
}

/** Units: unique names, each account in one at most, every account known and with its e-mail. */
function resolveUnits(org: GivenOrganization, role: { security: OrganizationRoleAccount; logArchive: OrganizationRoleAccount }, accounts: readonly GivenAccount[], at: At, display: string, problems: Problems) {
  const known = new Map<string, OrganizationMember>([
    [role.security.name, { id: role.security.id, name: role.security.name, email: role.security.email }],
    [role.logArchive.name, { id: role.logArchive.id, name: role.logArchive.name, email: role.logArchive.email }],
  ]);
  // AWS gives every account its own root e-mail address: two accounts of one address are a typo (and would be one account).
  const emails = new Map<string, string>([
    [role.security.email.toLowerCase(), at("securityAccount", "email")],
    [role.logArchive.email.toLowerCase(), at("logArchiveAccount", "email")],
  ]);
  if (role.logArchive.email.toLowerCase() === role.security.email.toLowerCase()) problems.error(`${at("logArchiveAccount", "email")}: "${role.logArchive.email}" is also ${at("securityAccount", "email")}; AWS gives each account its own root e-mail address`);
  accounts.forEach((account, index) => {
    const where = `${display} ${formatJsonPath(["fleet", "accounts", index, "email"])}`;
    if (account.email === undefined) problems.error(`${where}: is required in an organization: AWS Organizations identifies the account by it when tap moves it into its organizational unit`);
    else {
      const first = emails.get(account.email.toLowerCase());
      if (first) problems.error(`${where}: "${account.email}" is also ${first}; AWS gives each account its own root e-mail address`);
      else emails.set(account.email.toLowerCase(), where);
    }
    known.set(account.name!, { id: account.id!, name: account.name!, email: account.email! });
  });
  const placed = new Map<string, string>();
  const units = org.organizationalUnits as { name: string; mode?: UnitMode; accounts: string[] }[];
  return units.map((unit, index) => {
    const first = units.findIndex((other) => other.name.toLowerCase() === unit.name.toLowerCase());
    if (first < index) problems.error(`${at("organizationalUnits", index, "name")}: "${unit.name}" is already ${formatJsonPath(["organization", "organizationalUnits", first])}; AWS refuses two units of one name under a parent`);
    const members = unit.accounts.flatMap((name, position) => {
      const where = at("organizationalUnits", index, "accounts", position);
      const account = known.get(name);
      if (!account) {
        const suggestion = closest(name, [...known.keys()]);
        problems.error(`${where}: "${name}" is not an account of this configuration;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected a fleet account, the security or the log-archive account`);
        return [];
      }
      const other = placed.get(name);
      if (other !== undefined) problems.error(`${where}: "${name}" is already in unit "${other}"; an account is in one organizational unit`);
      placed.set(name, unit.name);
      return [account];
    });
    return { name: unit.name, mode: unit.mode ?? "create", accounts: members };
  });
}

/** The break-glass role is not one of the deployment roles (it would exempt nothing more, and say it does). */
function checkBreakGlass(breakGlass: string | undefined, deploymentRoleArns: readonly string[], at: At, problems: Problems): void {
  if (breakGlass !== undefined && deploymentRoleArns.includes(breakGlass)) {
    problems.error(`${at("breakGlassRoleArn")}: "${breakGlass}" is already a deployment role (an account's role); name a role kept for emergencies only`);
  }
}

/**
 * The guardrails fit in AWS's five SCPs (and RCPs) per target, beside the one AWS attaches
 * itself; the exempt roles stay protected while a guardrail exempts them.
 */
function checkGuardrailsFit(params: GuardrailPolicyParams, disabled: Readonly<Record<string, string>>, at: At, problems: Problems): void {
  const off = new Set(Object.keys(disabled) as GuardrailPolicyId[]);
  for (const [type, limits] of [["SERVICE_CONTROL_POLICY", SCP_LIMITS], ["RESOURCE_CONTROL_POLICY", RCP_LIMITS]] as const) {
    const documents = guardrailDocuments(params, off, type);
    if (documents.length + limits.attachedByAws.length > limits.maxPoliciesPerTarget) {
      problems.error(`${at()}: the guardrails need ${documents.length} ${type} documents beside ${limits.attachedByAws.join(", ")}, more than the ${limits.maxPoliciesPerTarget} AWS attaches to one target; accept the risk of one in organization.acceptRisks`);
    }
  }
  if (off.has("ProtectExemptRoles")) {
    const exempting = EXEMPTING_GUARDRAILS.filter((policy) => !off.has(policy));
    if (exempting.length > 0) {
      problems.error(`${at("acceptRisks", "ProtectExemptRoles")}: cannot be accepted while ${exempting.join(", ")} exempt the deployment roles: a member's administrator could take one over and walk around them; accept those too, or keep ProtectExemptRoles`);
    }
  }
}

/** Every region a member deploys, guards or retires is one the DenyOutsideRegions guardrail leaves open, the home region first. */
function checkMemberRegions(stacks: readonly MemberStack[], context: OrganizationContext, disabled: Readonly<Record<string, string>>, at: At, problems: Problems): void {
  const allowed = context.allowedRegions;
  if (!allowed.includes(context.homeRegion)) problems.error(`${at("allowedRegions")}: leaves out "${context.homeRegion}", the home region, where the organization trail and the log archive live; add it`);
  if ("DenyOutsideRegions" in disabled) return;
  stacks.forEach((stack, index) => {
    const used = [...stack.regions.map((r) => r.region), ...stack.guardrailRegions, ...stack.retiringRegions];
    const outside = [...new Set(used)].filter((region) => !allowed.includes(region));
    if (outside.length === 0) return;
    problems.error(
      `${context.display} ${formatJsonPath(["fleet", "accounts", index])}: uses ${outside.map((r) => `"${r}"`).join(", ")}, outside ${at("allowedRegions")} (${allowed.join(", ")}); the DenyOutsideRegions guardrail would refuse every call there: add ${itOrThem(outside.length)}, or accept the risk of DenyOutsideRegions in organization.acceptRisks`,
    );
  });
}

/** Account ids and names are unique, and no account is named like another's region stack. */
export function checkFleetAccounts(stacks: readonly MemberStack[], accounts: readonly GivenAccount[], display: string, problems: Problems): void {
  const where = (index: number, key: string) => `${display} ${formatJsonPath(["fleet", "accounts", index, key])}`;
  accounts.forEach((account, index) => {
    for (const key of ["id", "name"] as const) {
      const first = accounts.findIndex((other) => other[key] !== undefined && other[key] === account[key]);
      if (first !== index && account[key] !== undefined) problems.error(`${where(index, key)}: "${account[key]}" is already used by ${formatJsonPath(["fleet", "accounts", first])}; each account appears once`);
    }
  });
  // A region stack is named after its account (<name>-guardrails-<n>), so an account of that name would share its folder and state.
  stacks.forEach((stack, index) => {
    const owner = stacks.find((other) => other.regionStacks.some((regionStack) => regionStack.stackName === stack.stackName));
    if (owner) problems.error(`${where(index, "name")}: "${stack.stackName}" is the name of a region stack of account "${owner.stackName}" (layout split); choose another name`);
  });
}
