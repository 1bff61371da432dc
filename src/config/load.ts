/**
 * Reads the configuration from the file (when there is one) and the environment, validates
 * all of it at once and resolves one StackConfig per account. Layers, most specific last:
 * defaults, the file's top level, environment variables, a fleet account's own settings.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { isAbsolute, resolve } from "path";
import { ADMIN_SOURCES_EXPECTED, adminSourcesProblem } from "../network/admin-sources";
import { BASELINE } from "../aws/baseline";
import { cidrsOverlap, Ipv4Cidr, parseIpv4Cidr } from "../network/cidr";
import { AWS_NAME_KIND_LABELS, awsNameProblem, bucketNameProblem, TAG_KEYS_CASE_INSENSITIVE } from "../aws/limits";
import { defaultVpcCidr, regionGroups, SUPPORTED_REGION_NAMES } from "../network/regions";
import { ACCOUNT_OWNER_RULE_IDS } from "../guardrails/guardrail-facts";
import { ADOPTED_NAME_KEYS, adoptedName, SINGLETONS, SINGLETON_KEYS, SingletonKey, SingletonMode } from "../aws/singletons";
import { PASSWORD_POLICY } from "../identity/identity-facts";
import { DEFAULT_AVAILABILITY_ZONE_COUNT, VPC_PREFIX_RANGE } from "../network/network-facts";
import { stateAccessLogBucketName, stateBucketName } from "../storage/storage-facts";
import { AcceptedRisk, BootstrapConfig, FleetAccount, OrganizationConfig, OrganizationMember, OrganizationRoleAccount, RegionSettings, RegionStackConfig, StackConfig, StateBackend, TapConfig } from "./model";
import { ARCHIVE_CONFIG_PREFIX, guardrailDocuments, GuardrailPolicyId, organizationArchiveNames, SCP_LIMITS } from "../organization/organization-facts";
import { duplicateKeys } from "./json-text";
import { formatJsonPath, INVALID, JsonPath, SchemaIssue, StringSchema } from "./schema";
import {
  ACCOUNT_SCHEMA,
  BACKEND_ENV,
  BACKEND_SCHEMA,
  FILE_SCHEMA,
  FileSettings,
  KNOWN_VARIABLES,
  MERGED_BY_KEY,
  PROJECT_SCHEMA,
  ACCOUNT_ID_SCHEMA,
  STACK_ENV,
  STACK_ENV_SCHEMAS,
  STACK_FIELDS,
  StackSettingKey,
  StackSettings,
  TOOL_VARIABLES,
} from "./settings";
import { stackAwsNames } from "./stack-names";
import { closest } from "./suggest";

export const DEFAULT_CONFIG_FILE = "tap.config.json";
export const CONFIG_FILE_VARIABLE = "TAP_CONFIG";
/** Name of the stack when there is no fleet (and of its folder under cdktf.out/stacks). */
export const SINGLE_STACK_NAME = "tap";
/** The stack of the state bucket (npm run bootstrap). */
export const BOOTSTRAP_STACK_NAME = "bootstrap";

/** The organization's management stack (the security and log-archive stacks take their accounts' names). */
export const MANAGEMENT_STACK_NAME = "management";

/** What an organization runs for its members from the security and management accounts: their own stacks leave these to it. */
export const ORGANIZATION_MANAGED_SINGLETONS: readonly SingletonKey[] = ["trail", "guardDuty", "securityHub", "accessAnalyzer"];

export const DEFAULTS = {
  project: "tap",
  environment: "dev",
  regions: ["us-east-1", "us-west-2", "eu-central-1"] as readonly string[],
  availabilityZoneCount: DEFAULT_AVAILABILITY_ZONE_COUNT,
  logRetentionDays: BASELINE.logRetentionDays,
  passwordReusePrevention: PASSWORD_POLICY.defaultReusePrevention,
  endpointPrivateDns: true,
  accountSettings: "manage",
  stateBucketRegion: "us-east-1",
  hcpHostname: "app.terraform.io",
  /** Every supported region is guarded unless guardrailRegions names fewer. */
  guardrailRegions: SUPPORTED_REGION_NAMES,
  layout: "split",
  /** Three providers keep a region stack's plan under 1 GB (npm run bench), well inside the 2 GB budget the README states. */
  regionsPerStack: 3,
} as const;

/** Environments whose data is protected from `destroy` unless configured otherwise. */
export const PROTECTED_ENVIRONMENT_PREFIX = "prod";

/** The product's own acceptance of its default reuse prevention (the spec asks for 5). */
export const DEFAULT_REUSE_ACCEPTANCE =
  `reuse prevention ${PASSWORD_POLICY.defaultReusePrevention} is the product default (TAP_PASSWORD_REUSE_PREVENTION unset); CIS 1.9 recommends ${PASSWORD_POLICY.cisReusePrevention}`;

/**
 * Settings whose value makes a rule fail; such a value needs an accepted risk naming the
 * rule, checked here so the message names the setting instead of a resource.
 */
export const RISKY_VALUES: readonly {
  setting: StackSettingKey;
  ruleId: string;
  risky: (value: any) => boolean;
  why: (value: any) => string;
  /** Only where the setting takes effect (guardrails: in the deployment that owns the account's settings). */
  ownerOnly?: boolean;
}[] = [
  {
    setting: "logRetentionDays",
    ruleId: "Logs.Retention",
    risky: (days: number) => days !== 0 && days < BASELINE.logRetentionDays,
    why: () => `is below the ${BASELINE.logRetentionDays} days rule Logs.Retention requires (0 keeps logs forever)`,
  },
  {
    setting: "passwordReusePrevention",
    ruleId: "IAM.PasswordReusePrevention",
    risky: (count: number) => count < PASSWORD_POLICY.cisReusePrevention,
    why: () => `is below the ${PASSWORD_POLICY.cisReusePrevention} that CIS 1.9 (rule IAM.PasswordReusePrevention) requires`,
  },
  {
    setting: "replication",
    ruleId: "S3.CrossRegionReplication",
    risky: (on: boolean) => !on,
    why: () => "leaves each region's data in one region only (rule S3.CrossRegionReplication)",
  },
  {
    setting: "guardDuty",
    ruleId: "GuardDuty.Enabled",
    risky: (on: boolean) => !on,
    why: () => "turns off threat detection (rule GuardDuty.Enabled)",
    ownerOnly: true,
  },
  {
    setting: "securityHub",
    ruleId: "SecurityHub.CisStandard",
    risky: (on: boolean) => !on,
    why: () => "turns off continuous CIS v3.0.0 checks (CIS 4.16, rule SecurityHub.CisStandard)",
    ownerOnly: true,
  },
  {
    setting: "awsConfig",
    ruleId: "Config.Recorder",
    risky: (on: boolean) => !on,
    why: () => "turns off the configuration history (CIS 3.3, rule Config.Recorder)",
    ownerOnly: true,
  },
];

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

/** Every configuration problem found, one readable line each. */
export class ConfigError extends Error {
  public readonly name = "ConfigError";
  constructor(public readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }

  /** What the command-line entry points print: a heading, then one indented line per problem. */
  describe(): string {
    return `tap: configuration error\n${this.problems.map((problem) => `  ${problem}`).join("\n")}`;
  }
}

export interface LoadOptions {
  /** Where a relative TAP_CONFIG and the default tap.config.json are looked up. @default process.cwd() */
  readonly cwd?: string;
  /**
   * The configuration file: a path, or `null` to read none even if one exists.
   * @default TAP_CONFIG, else ./tap.config.json when it exists
   */
  readonly file?: string | null;
}

/**
 * Reads and validates the whole configuration. Collects every problem and throws one
 * ConfigError, before any construct exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): TapConfig {
  return new ConfigLoader(env, options).load();
}

/** A setting's value and where it came from, as messages name it. */
interface Setting<T = unknown> {
  readonly value: T;
  readonly origin: string;
  /** For records merged by key: where each entry came from. */
  readonly entryOrigins?: Readonly<Record<string, string>>;
}

/** One layer of stack settings; a key in `invalid` was given but refused. */
interface Layer {
  readonly settings: Partial<Record<StackSettingKey, Setting>>;
  readonly invalid: ReadonlySet<StackSettingKey>;
}

interface ConfigFile {
  readonly path: string;
  /** How messages name it: the path as given. */
  readonly display: string;
  readonly settings?: FileSettings;
  readonly invalid: ReadonlySet<string>;
}

class ConfigLoader {
  private readonly problems: string[] = [];
  private readonly warnings: string[] = [];
  private readonly env: Record<string, string>;

  constructor(
    rawEnv: NodeJS.ProcessEnv,
    private readonly options: LoadOptions,
  ) {
    // A setting's variable that is set but empty is refused: in a pipeline that is what a missing
    // secret looks like, and reading it as unset would deploy the defaults (a dev stack, data
    // protection off) in its place. Other empty variables count as unset.
    for (const [name, value] of Object.entries(rawEnv)) {
      if (value !== undefined && value.trim() === "" && KNOWN_VARIABLES.includes(name) && !TOOL_VARIABLES.includes(name)) {
        this.problems.push(`${name}: is set but empty; unset it, or give it a value`);
      }
    }
    this.env = Object.fromEntries(
      Object.entries(rawEnv)
        .map(([name, value]) => [name, value?.trim() ?? ""])
        .filter(([, value]) => value !== ""),
    );
  }

  load(): TapConfig {
    this.checkVariableNames();
    const file = this.readFile();
    const fromFile = file?.settings ? this.layerFromObject(file.settings, file.invalid, file.display, []) : emptyLayer();
    const top = mergeLayers(fromFile, this.readVariables());
    const project = this.resolveTopLevel(file, "project", "TAP_PROJECT", PROJECT_SCHEMA, DEFAULTS.project);
    const accountId = this.resolveTopLevel(file, "accountId", "TAP_ACCOUNT_ID", ACCOUNT_ID_SCHEMA, undefined);
    const backend = this.readBackend(file);
    const accounts = file?.settings?.fleet?.accounts;
    const accountLayers = (accounts ?? []).map((account, index) => {
      const accountInvalid = new Set([...file!.invalid].filter((key) => key.startsWith(`fleet.accounts.${index}.`)).map((key) => key.split(".")[3]));
      return mergeLayers(top, this.layerFromObject(account, accountInvalid, file!.display, ["fleet", "accounts", index]));
    });
    const organizationGiven = file?.settings?.organization && !file.invalid.has("organization") ? (file.settings.organization as Record<string, any>) : undefined;
    if (organizationGiven && !accounts) this.problems.push(`${file!.display} $.organization: needs fleet.accounts, the organization's member accounts; add them`);
    const members = organizationGiven && accounts ? this.organizationForMembers(organizationGiven, project.value, top, accountLayers, file!.display) : undefined;
    const stacks = accounts
      ? accounts.map((account, index) =>
          this.resolveStack(members ? mergeLayers(members.layer, accountLayers[index]) : accountLayers[index], project, backend, accountId.value, {
            account,
            path: ["fleet", "accounts", index],
            display: file!.display,
            organization: members?.member,
          }),
        )
      : [this.resolveStack(top, project, backend, accountId.value)];
    if (accounts) this.checkFleet(stacks, accounts, file!.display);
    const organization =
      organizationGiven && members ? this.resolveOrganization(organizationGiven, members, stacks, accounts!, { project: project.value, backend, deploymentAccount: accountId.value, top, display: file!.display }) : undefined;
    const bootstrap = this.bootstrapConfig(stacks, project.value, accountId.value, top);
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return { project: project.value, accountId: accountId.value, bootstrap, stacks, organization, file: file?.path, warnings: this.warnings };
  }

  /** `TAP_REGION` (singular) is a typo of `TAP_REGIONS`, not a setting to ignore. */
  private checkVariableNames(): void {
    for (const name of Object.keys(this.env)) {
      if (!/^(TAP_|TERRAFORM_STATE_)/.test(name) || KNOWN_VARIABLES.includes(name)) continue;
      const suggestion = closest(name, KNOWN_VARIABLES);
      this.problems.push(`${name}: is not a variable tap knows;${suggestion ? ` did you mean ${suggestion}?` : ""} the README lists every setting`);
    }
  }

  private readFile(): ConfigFile | undefined {
    const given = this.options.file === undefined ? this.env[CONFIG_FILE_VARIABLE] : this.options.file;
    if (given === null) return undefined;
    const cwd = this.options.cwd ?? process.cwd();
    const display = given ?? DEFAULT_CONFIG_FILE;
    const path = isAbsolute(display) ? display : resolve(cwd, display);
    if (!existsSync(path)) {
      if (given !== undefined) this.problems.push(`${CONFIG_FILE_VARIABLE}: "${given}" does not exist (looked for ${path})`);
      return undefined;
    }
    if (statSync(path).isDirectory()) {
      this.problems.push(`${given !== undefined ? CONFIG_FILE_VARIABLE : display}: "${display}" is a folder (${path}); expected a JSON file such as ${DEFAULT_CONFIG_FILE}`);
      return undefined;
    }
    let json: unknown;
    // A byte-order mark (some Windows editors write one) is not part of the JSON.
    const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.problems.push(`${display}: is not valid JSON (${(error as Error).message})`);
      return { path, display, invalid: new Set() };
    }
    for (const duplicate of duplicateKeys(text)) {
      this.problems.push(`${display} ${formatJsonPath(duplicate)}: is given twice in its object; JSON keeps only the last, so remove one`);
    }
    const issues: SchemaIssue[] = [];
    const parsed = FILE_SCHEMA.parseFields(json, [], issues);
    this.report(issues, display);
    if (!parsed) return { path, display, invalid: new Set() };
    // Keep every account's valid settings even when one of its settings is refused: dropping the
    // fleet would turn the file into a single stack and report problems it does not have.
    const accounts = (json as { fleet?: { accounts?: unknown } }).fleet?.accounts;
    const invalid = new Set<string>(parsed.invalid);
    if (Array.isArray(accounts)) {
      invalid.delete("fleet");
      const lenient = accounts.map((account, index) => {
        const fields = ACCOUNT_SCHEMA.parseFields(account, ["fleet", "accounts", index], []);
        for (const key of fields?.invalid ?? []) invalid.add(`fleet.accounts.${index}.${key}`);
        return fields?.value ?? {};
      });
      return { path, display, settings: { ...parsed.value, fleet: { accounts: lenient } } as FileSettings, invalid };
    }
    return { path, display, settings: parsed.value as FileSettings, invalid };
  }

  /** The stack settings given as environment variables. */
  private readVariables(): Layer {
    const settings: Partial<Record<StackSettingKey, Setting>> = {};
    const invalid = new Set<StackSettingKey>();
    for (const [key, variable] of Object.entries(STACK_ENV) as [StackSettingKey, string][]) {
      const text = this.env[variable];
      if (text === undefined) continue;
      const schema = STACK_ENV_SCHEMAS[key] ?? STACK_FIELDS[key];
      const issues: SchemaIssue[] = [];
      const raw = schema.fromText(text, [], issues);
      const value = raw === INVALID ? undefined : schema.parse(raw, [], issues);
      this.report(issues, variable);
      if (value === undefined) invalid.add(key);
      else settings[key] = { value, origin: variable, entryOrigins: entryOriginsOf(key, value, variable) };
    }
    return { settings, invalid };
  }

  private layerFromObject(object: Record<string, unknown>, invalid: ReadonlySet<string>, display: string, path: JsonPath): Layer {
    const settings: Partial<Record<StackSettingKey, Setting>> = {};
    for (const key of Object.keys(STACK_FIELDS) as StackSettingKey[]) {
      if (object[key] === undefined) continue;
      const origin = `${display} ${formatJsonPath([...path, key])}`;
      settings[key] = { value: object[key], origin, entryOrigins: entryOriginsOf(key, object[key], origin) };
    }
    return { settings, invalid: new Set([...invalid].filter((key): key is StackSettingKey => key in STACK_FIELDS)) };
  }

  /** A top-level setting (project, accountId): its variable over the file. */
  private resolveTopLevel<D extends string | undefined>(
    file: ConfigFile | undefined,
    key: "project" | "accountId",
    variable: string,
    schema: StringSchema,
    fallback: D,
  ): Setting<string | D> & { given: boolean } {
    const text = this.env[variable];
    if (text !== undefined) {
      const issues: SchemaIssue[] = [];
      const value = schema.parse(text, [], issues);
      this.report(issues, variable);
      return { value: value ?? fallback, origin: variable, given: value !== undefined };
    }
    if (file?.settings?.[key] !== undefined) return { value: file.settings[key], origin: `${file.display} $.${key}`, given: true };
    return { value: fallback, origin: variable, given: false };
  }

  /**
   * The bootstrap stack, when the account is known (accountId) and state is in S3: one bucket for
   * the whole configuration (a fleet keeps every member's state in its deployment account's bucket).
   */
  private bootstrapConfig(stacks: readonly StackConfig[], project: string, accountId: string | undefined, top: Layer): BootstrapConfig | undefined {
    const backend = stacks[0]?.backend;
    if (backend?.type !== "s3" || backend.bucket === undefined || accountId === undefined) return undefined;
    const taken = stacks.find((stack) => stack.stackName === BOOTSTRAP_STACK_NAME);
    if (taken) this.problems.push(`${taken.account ? "fleet account name" : "stack name"} "${BOOTSTRAP_STACK_NAME}": is the state bucket's own stack (npm run bootstrap); choose another name`);
    return { stackName: BOOTSTRAP_STACK_NAME, project, accountId, bucket: backend.bucket, accessLogBucket: stateAccessLogBucketName(project, accountId, backend.region), region: backend.region, tags: (top.settings.tags?.value as Record<string, string> | undefined) ?? {} };
  }

  /** The backend: the file's, with variables over it; S3 with derived names by default. */
  private readBackend(file: ConfigFile | undefined): { type: "s3" | "hcp"; fields: Record<string, Setting<string>> } {
    const fromFile = file?.settings?.backend as Record<string, string> | undefined;
    const typeText = this.env.TAP_BACKEND;
    if (typeText !== undefined && typeText !== "s3" && typeText !== "hcp") {
      this.problems.push(`TAP_BACKEND: "${typeText}" is not allowed; expected s3 or hcp`);
    }
    const type: "s3" | "hcp" = typeText === "hcp" || typeText === "s3" ? typeText : ((fromFile?.type as "s3" | "hcp" | undefined) ?? "s3");
    const fields: Record<string, Setting<string>> = {};
    for (const [key, value] of Object.entries(fromFile ?? {})) {
      if (key !== "type") fields[key] = { value, origin: `${file!.display} $.backend.${key}` };
    }
    for (const [variable, { field, appliesTo }] of Object.entries(BACKEND_ENV)) {
      const text = this.env[variable];
      if (text === undefined || appliesTo === undefined) continue;
      if (appliesTo !== type) {
        this.problems.push(`${variable}: applies to the ${appliesTo} backend, but the backend is ${type}; remove it or set TAP_BACKEND=${appliesTo}`);
        continue;
      }
      const variant = (BACKEND_SCHEMA as any).variants[type];
      const issues: SchemaIssue[] = [];
      const value = variant.fields[field].parse(text, [], issues);
      this.report(issues, variable);
      if (value !== undefined) fields[field] = { value, origin: variable };
    }
    if (type === "hcp" && !fields.organization) {
      this.problems.push(`TAP_HCP_ORGANIZATION: is required with the hcp backend; set it, or backend.organization in ${DEFAULT_CONFIG_FILE}`);
    }
    return { type, fields };
  }

  /**
   * What an organization gives its members before they are resolved: the services it manages for
   * them (external to their stacks), its regions as their guarded regions, and the log archive
   * their AWS Config delivers to.
   */
  private organizationForMembers(org: Record<string, any>, project: string, top: Layer, accountLayers: readonly Layer[], display: string) {
    const regionsOf = (layer: Layer) => (layer.settings.regions?.value as string[] | undefined) ?? DEFAULTS.regions;
    const homeRegion = (top.settings.homeRegion?.value as string | undefined) ?? regionsOf(top)[0];
    const used = new Set([homeRegion, ...accountLayers.flatMap((layer) => [...regionsOf(layer), ...((layer.settings.retiringRegions?.value as string[] | undefined) ?? [])])]);
    const allowedRegions: readonly string[] = org.allowedRegions ?? SUPPORTED_REGION_NAMES.filter((region) => used.has(region));
    const origin = `${display} $.organization`;
    const managed = Object.fromEntries(ORGANIZATION_MANAGED_SINGLETONS.map((key) => [key, "external"]));
    const layer: Layer = {
      settings: {
        singletons: { value: managed, origin, entryOrigins: Object.fromEntries(ORGANIZATION_MANAGED_SINGLETONS.map((key) => [key, origin])) },
      },
      invalid: new Set(),
    };
    const names = organizationArchiveNames(project, org.logArchiveAccount.id);
    // A member guards the regions the organization allows (and its own, should the Region guardrail be off).
    return { layer, homeRegion, allowedRegions, member: { delivery: { bucketName: names.bucket, keyPrefix: ARCHIVE_CONFIG_PREFIX }, guardrailRegions: allowedRegions } };
  }

  /** The organization's own stacks and policies, checked against its members. */
  private resolveOrganization(
    org: Record<string, any>,
    members: { homeRegion: string; allowedRegions: readonly string[] },
    stacks: readonly StackConfig[],
    accounts: readonly Record<string, any>[],
    context: { project: string; backend: { type: "s3" | "hcp"; fields: Record<string, Setting<string>> }; deploymentAccount?: string; top: Layer; display: string },
  ): OrganizationConfig {
    const { display, project, top } = context;
    const at = (...path: JsonPath) => `${display} ${formatJsonPath(["organization", ...path])}`;
    const environment = (top.settings.environment?.value as string | undefined) ?? DEFAULTS.environment;
    const backendOf = (name: string) => this.stackBackend(context.backend, project, environment, name, context.deploymentAccount);
    const roleAccount = (key: "securityAccount" | "logArchiveAccount"): OrganizationRoleAccount => {
      const given = org[key];
      return { ...this.fleetAccount(given, ["organization", key], display), email: given.email, backend: backendOf(given.name) };
    };
    const security = roleAccount("securityAccount");
    const logArchive = roleAccount("logArchiveAccount");
    const managementRole: string | undefined = org.managementAccount.role;
    const management = {
      id: org.managementAccount.id as string,
      roleArn: managementRole ? this.fleetAccount({ ...org.managementAccount, name: MANAGEMENT_STACK_NAME }, ["organization", "managementAccount"], display).roleArn : undefined,
      stackName: MANAGEMENT_STACK_NAME,
      backend: backendOf(MANAGEMENT_STACK_NAME),
    };

    // Each account holds one role; AWS refuses the management account as a delegated administrator.
    const roles = [
      { path: ["managementAccount", "id"], id: management.id, role: "the management account" },
      { path: ["securityAccount", "id"], id: security.id, role: "the security account" },
      { path: ["logArchiveAccount", "id"], id: logArchive.id, role: "the log-archive account" },
    ];
    roles.forEach(({ path, id, role }, index) => {
      const first = roles.findIndex((other) => other.id === id);
      if (first < index) {
        const why = index === 1 && first === 0 ? "AWS Organizations refuses the management account as a delegated administrator" : "each account holds one role";
        this.problems.push(`${at(...path)}: "${id}" is already ${roles[first].role}; ${why}: choose another account`);
      }
      const member = accounts.findIndex((account) => account.id === id);
      if (member >= 0) this.problems.push(`${at(...path)}: "${id}" is also ${formatJsonPath(["fleet", "accounts", member])}; ${role} gets its own stack, not a member's: remove it from the fleet`);
    });
    for (const [path, name] of [[["securityAccount", "name"], security.name], [["logArchiveAccount", "name"], logArchive.name]] as const) {
      const clash = stacks.find((stack) => stack.stackName === name || stack.regionStacks.some((regionStack) => regionStack.stackName === name));
      if (clash) this.problems.push(`${at(...path)}: "${name}" is also the name of stack "${clash.stackName}"'s account or region stack; choose another name`);
      if (name === MANAGEMENT_STACK_NAME || name === BOOTSTRAP_STACK_NAME) this.problems.push(`${at(...path)}: "${name}" is the name of tap's own ${name} stack; choose another name`);
    }
    if (security.name === logArchive.name) this.problems.push(`${at("logArchiveAccount", "name")}: "${logArchive.name}" is also the security account's name; each stack needs its own`);
    const managementClash = stacks.find((stack) => stack.stackName === MANAGEMENT_STACK_NAME);
    if (managementClash) this.problems.push(`${display} $.fleet.accounts: "${MANAGEMENT_STACK_NAME}" is the organization's management stack; give the account another name`);

    // Units: unique names, each account in one at most, every account known and with its e-mail.
    const known = new Map<string, OrganizationMember>([
      [security.name, { id: security.id, name: security.name, email: security.email }],
      [logArchive.name, { id: logArchive.id, name: logArchive.name, email: logArchive.email }],
    ]);
    accounts.forEach((account, index) => {
      if (account.email === undefined) this.problems.push(`${display} ${formatJsonPath(["fleet", "accounts", index, "email"])}: is required in an organization: AWS Organizations identifies the account by it when tap moves it into its organizational unit`);
      known.set(account.name, { id: account.id, name: account.name, email: account.email });
    });
    const placed = new Map<string, string>();
    const units = (org.organizationalUnits as { name: string; accounts: string[] }[]).map((unit, index) => {
      const first = (org.organizationalUnits as { name: string }[]).findIndex((other) => other.name.toLowerCase() === unit.name.toLowerCase());
      if (first < index) this.problems.push(`${at("organizationalUnits", index, "name")}: "${unit.name}" is already ${formatJsonPath(["organization", "organizationalUnits", first])}; AWS refuses two units of one name under a parent`);
      const members = unit.accounts.flatMap((name, position) => {
        const where = at("organizationalUnits", index, "accounts", position);
        const account = known.get(name);
        if (!account) {
          const suggestion = closest(name, [...known.keys()]);
          this.problems.push(`${where}: "${name}" is not an account of this configuration;${suggestion ? ` did you mean "${suggestion}"?` : ""} expected a fleet account, the security or the log-archive account`);
          return [];
        }
        const other = placed.get(name);
        if (other !== undefined) this.problems.push(`${where}: "${name}" is already in unit "${other}"; an account is in one organizational unit`);
        placed.set(name, unit.name);
        return [account];
      });
      return { name: unit.name, accounts: members };
    });
    const guardrailTargets: string[] = org.guardrailTargets ?? ["root"];
    guardrailTargets.forEach((target, index) => {
      if (target !== "root" && !units.some((unit) => unit.name === target)) {
        this.problems.push(`${at("guardrailTargets", index)}: "${target}" is neither root nor one of organizationalUnits (${units.map((unit) => unit.name).join(", ")})`);
      }
    });

    // The guardrails: within AWS's five SCPs per target, and no account using a Region they deny.
    const disabledGuardrails: Record<string, string> = org.acceptRisks ?? {};
    const roleNames = [...new Set([...stacks.map((stack) => stack.account!.roleArn), security.roleArn, logArchive.roleArn].map((arn) => arn.replace(/^arn:aws:iam::\d{12}:role\//, "")))];
    const deploymentRoleArns = roleNames.map((name) => `arn:aws:iam::*:role/${name}`);
    const documents = guardrailDocuments({ project, allowedRegions: members.allowedRegions, deploymentRoleArns }, new Set(Object.keys(disabledGuardrails) as GuardrailPolicyId[]));
    if (documents.length + SCP_LIMITS.attachedByAws.length > SCP_LIMITS.maxPoliciesPerTarget) {
      this.problems.push(`${at()}: the guardrails need ${documents.length} SCPs beside ${SCP_LIMITS.attachedByAws.join(", ")}, more than the ${SCP_LIMITS.maxPoliciesPerTarget} AWS attaches to one target; accept the risk of one in organization.acceptRisks`);
    }
    const allowed = members.allowedRegions;
    if (!allowed.includes(members.homeRegion)) this.problems.push(`${at("allowedRegions")}: leaves out "${members.homeRegion}", the home region, where the organization trail and the log archive live; add it`);
    if (!("DenyOutsideRegions" in disabledGuardrails)) {
      stacks.forEach((stack, index) => {
        const used = [...stack.regions.map((r) => r.region), ...stack.guardrailRegions, ...stack.retiringRegions];
        const outside = [...new Set(used)].filter((region) => !allowed.includes(region));
        if (outside.length > 0) {
          this.problems.push(
            `${display} ${formatJsonPath(["fleet", "accounts", index])}: uses ${outside.map((r) => `"${r}"`).join(", ")}, outside ${at("allowedRegions")} (${allowed.join(", ")}); the DenyOutsideRegions guardrail would refuse every call there: add ${outside.length === 1 ? "it" : "them"}, or accept the risk of DenyOutsideRegions in organization.acceptRisks`,
          );
        }
      });
    }
    const protectGiven = top.settings.protectData?.value as boolean | undefined;
    return {
      id: org.id,
      project,
      homeRegion: members.homeRegion,
      allowedRegions: allowed,
      management,
      security,
      logArchive,
      units,
      otherTrustedServices: org.otherTrustedServices ?? [],
      otherPolicyTypes: org.otherPolicyTypes ?? [],
      guardrailTargets,
      disabledGuardrails,
      deploymentRoleArns,
      memberStacks: stacks.map((stack) => stack.stackName),
      protect: protectGiven ?? environment.startsWith(PROTECTED_ENVIRONMENT_PREFIX),
      logRetentionDays: (top.settings.logRetentionDays?.value as number | undefined) ?? DEFAULTS.logRetentionDays,
      alarmEmail: top.settings.alarmEmail?.value as string | undefined,
      tags: (top.settings.tags?.value as Record<string, string> | undefined) ?? {},
    };
  }

  /** One stack's settings, resolved and checked. */
  private resolveStack(
    layer: Layer,
    project: Setting<string> & { given: boolean },
    backend: { type: "s3" | "hcp"; fields: Record<string, Setting<string>> },
    deploymentAccount: string | undefined,
    fleet?: {
      account: Record<string, any>;
      path: JsonPath;
      display: string;
      organization?: { delivery: { bucketName: string; keyPrefix: string }; guardrailRegions: readonly string[] };
    },
  ): StackConfig {
    const valid = (key: StackSettingKey) => !layer.invalid.has(key);
    const given = <K extends StackSettingKey>(key: K): Setting<NonNullable<StackSettings[K]>> | undefined =>
      valid(key) ? (layer.settings[key] as Setting<NonNullable<StackSettings[K]>> | undefined) : undefined;
    const valueOf = <K extends StackSettingKey, D>(key: K, fallback: D): NonNullable<StackSettings[K]> | D => given(key)?.value ?? fallback;
    const where = (key: StackSettingKey) => layer.settings[key]?.origin ?? (fleet ? `${fleet.display} ${formatJsonPath([...fleet.path, key])}` : STACK_ENV[key]);

    const environment = valueOf("environment", DEFAULTS.environment);
    const regionNames = valueOf("regions", DEFAULTS.regions) as readonly string[];
    const account = fleet ? this.fleetAccount(fleet.account, fleet.path, fleet.display) : undefined;

    const retiringRegions = valueOf("retiringRegions", []) as string[];
    for (const region of valid("regions") ? retiringRegions.filter((r) => regionNames.includes(r)) : []) {
      this.problems.push(`${where("retiringRegions")}: "${region}" is also in ${where("regions")}; a region is either deployed or retiring`);
    }

    const regions = valid("regions") && valid("vpcCidrs") ? this.resolveVpcCidrs(regionNames, given("vpcCidrs"), where("vpcCidrs"), where("regions")) : [];
    const allowedSshCidrs = given("allowedSshCidrs")?.value as string[] | undefined;
    const sshProblem = allowedSshCidrs ? adminSourcesProblem(allowedSshCidrs, "SSH") : undefined;
    if (sshProblem) this.problems.push(`${where("allowedSshCidrs")}: ${sshProblem}; expected ${ADMIN_SOURCES_EXPECTED}`);

    const manageAccountSettings = valueOf("accountSettings", DEFAULTS.accountSettings) !== "skip";
    const singleRegion = regionNames.length === 1;
    const homeRegion = this.resolveHomeRegion(given("homeRegion"), regionNames, where("regions"));
    const ownerRegions = this.checkOwnerRegions(given("ownerRegions"), manageAccountSettings, regionNames, where);
    const flags = { guardDuty: valueOf("guardDuty", true), securityHub: valueOf("securityHub", true), awsConfig: valueOf("awsConfig", true) };
    const listedRegions = this.resolveGuardrailRegions(given("guardrailRegions"), manageAccountSettings, valid("regions") ? regionNames : [], where, fleet?.organization?.guardrailRegions);
    const singletons = this.resolveSingletons(given, where, manageAccountSettings, flags, listedRegions, valid("adoptNames"), fleet?.organization !== undefined);
    if (fleet?.organization) this.checkOrganizationManaged(given("singletons"), singletons.modes);
    // With every regional guardrail left to others (or off), tap builds none outside its workload regions.
    const guardrailRegions = buildsRegionalGuardrails(singletons.modes, flags) ? listedRegions : listedRegions.filter((region) => regionNames.includes(region));
    const acceptedRisks = this.acceptedRisks(layer, given, { manage: manageAccountSettings, singleRegion, singletons, where });
    this.checkRiskyValues(layer, where, acceptedRisks, manageAccountSettings);
    if (manageAccountSettings && valueOf("securityHub", true) && !valueOf("awsConfig", true)) {
      this.problems.push(
        `${where("securityHub")}: is on while ${where("awsConfig")} is off; Security Hub's CIS v3.0.0 controls are AWS Config rules and report nothing without a recorder: turn AWS Config on, or Security Hub off`,
      );
    }
    this.checkOwnerOnlySettings(given, where, manageAccountSettings, singleRegion);

    const protectGiven = given("protectData");
    const protectData = protectGiven
      ? { enabled: protectGiven.value, reason: `set by ${protectGiven.origin}` }
      : environment.startsWith(PROTECTED_ENVIRONMENT_PREFIX)
        ? { enabled: true, reason: `environment "${environment}" starts with "${PROTECTED_ENVIRONMENT_PREFIX}"` }
        : { enabled: false, reason: `environment "${environment}" does not start with "${PROTECTED_ENVIRONMENT_PREFIX}"; set TAP_PROTECT_DATA=true to keep data` };

    this.checkTagKeyCase(given("tags"));
    const stackName = account?.name ?? SINGLE_STACK_NAME;
    const stackBackend = this.stackBackend(backend, project.value, environment, account?.name, deploymentAccount);
    const split = valueOf("layout", DEFAULTS.layout) === "split";
    const unheld = guardrailRegions.filter((region) => !regionNames.includes(region));
    if (!split && given("regionsPerStack")) this.warnings.push(`${where("regionsPerStack")}: has no effect: ${where("layout")} is single, so one stack holds every region`);
    const stack: StackConfig = {
      stackName,
      project: project.value,
      environment,
      account,
      accountId: account?.id ?? deploymentAccount,
      regions,
      homeRegion,
      ownerRegions,
      retiringRegions,
      availabilityZoneCount: valueOf("availabilityZoneCount", DEFAULTS.availabilityZoneCount),
      allowedSshCidrs,
      allowedHttpsCidrs: given("allowedHttpsCidrs")?.value as string[] | undefined,
      logRetentionDays: valueOf("logRetentionDays", DEFAULTS.logRetentionDays),
      passwordReusePrevention: valueOf("passwordReusePrevention", DEFAULTS.passwordReusePrevention),
      endpointPrivateDns: valueOf("endpointPrivateDns", DEFAULTS.endpointPrivateDns),
      tags: valueOf("tags", {}) as Record<string, string>,
      acceptedRisks,
      manageAccountSettings,
      singletons: singletons.modes,
      adoptNames: singletons.names,
      protectData,
      replication: !singleRegion && valueOf("replication", true),
      guardrails: {
        guardDuty: manageAccountSettings && flags.guardDuty,
        securityHub: manageAccountSettings && flags.securityHub,
        awsConfig: manageAccountSettings && flags.awsConfig,
        alarmEmail: manageAccountSettings ? (given("alarmEmail")?.value as string | undefined) : undefined,
      },
      backend: stackBackend,
      configDelivery: fleet?.organization?.delivery,
      guardrailRegions,
      regionStacks: split && manageAccountSettings ? regionStacks(stackName, unheld, valueOf("regionsPerStack", DEFAULTS.regionsPerStack), stackBackend) : [],
    };
    if (valid("environment") && valid("regions") && regions.length > 0) {
      const blamed: Setting[] = [];
      if (project.given) blamed.push(project);
      const environmentGiven = given("environment");
      if (environmentGiven) blamed.push(environmentGiven);
      this.checkAwsNames(stack, blamed.length > 0 ? blamed : [project]);
    }
    return stack;
  }

  /**
   * The regions the owner guards: every workload region (a network without guardrails is refused),
   * then the others in the supported list's order. A deployment that does not own the account's
   * settings guards nothing; its workload regions are the owner's to guard. An organization
   * member guards the regions the organization allows unless it lists its own.
   */
  private resolveGuardrailRegions(
    given: Setting | undefined,
    manage: boolean,
    workload: readonly string[],
    where: (key: StackSettingKey) => string,
    fallback: readonly string[] = DEFAULTS.guardrailRegions,
  ): string[] {
    if (!manage) return [...workload];
    const listed = (given?.value as string[] | undefined) ?? fallback;
    const missing = workload.filter((region) => !listed.includes(region));
    if (given && missing.length > 0) {
      this.problems.push(
        `${given.origin}: "${listed.join(",")}" leaves out ${missing.map((region) => `"${region}"`).join(", ")} of ${where("regions")}; every workload region gets the guardrails, so add ${missing.length === 1 ? "it" : "them"}`,
      );
    }
    return [...workload, ...SUPPORTED_REGION_NAMES.filter((region) => listed.includes(region) && !workload.includes(region))];
  }

  /** One CIDR per region: from the variable's list (TAP_REGIONS order), the file's map, or the default. */
  private resolveVpcCidrs(regions: readonly string[], given: Setting | undefined, where: string, regionsWhere: string): RegionSettings[] {
    let byRegion: Record<string, string> = {};
    if (Array.isArray(given?.value)) {
      const list = given!.value as string[];
      if (list.length !== regions.length) {
        this.problems.push(
          `${where}: "${list.join(",")}" has ${list.length} CIDR(s) but ${regionsWhere} has ${regions.length} region(s); expected one CIDR per region, in the same order`,
        );
        return [];
      }
      byRegion = Object.fromEntries(regions.map((region, i) => [region, list[i]]));
    } else if (given) {
      byRegion = given.value as Record<string, string>;
      for (const region of Object.keys(byRegion).filter((r) => !regions.includes(r))) {
        this.problems.push(`${where}: has a CIDR for "${region}", which is not in ${regionsWhere}; remove it or add the region`);
      }
    }
    const parsed: { region: string; text: string; cidr: Ipv4Cidr }[] = [];
    for (const region of regions) {
      const text = byRegion[region] ?? defaultVpcCidr(region);
      const cidr = parseIpv4Cidr(text) as Ipv4Cidr;
      if (cidr.prefixLength < VPC_PREFIX_RANGE.min || cidr.prefixLength > VPC_PREFIX_RANGE.max) {
        this.problems.push(`${where}: "${text}" has prefix /${cidr.prefixLength}; expected a prefix from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`);
        continue;
      }
      const clash = parsed.find((other) => cidrsOverlap(other.cidr, cidr));
      if (clash) this.problems.push(`${where}: "${text}" (${region}) overlaps "${clash.text}" (${clash.region}); each region needs its own range so VPCs can be peered`);
      parsed.push({ region, text, cidr });
    }
    return regions.map((region) => ({ region, vpcCidr: byRegion[region] ?? defaultVpcCidr(region) }));
  }

  /** The product's own acceptances first, then the configured ones (which may replace them). */
  private acceptedRisks(
    layer: Layer,
    given: (key: "acceptRisks") => Setting | undefined,
    context: { manage: boolean; singleRegion: boolean; singletons: { modes: Record<SingletonKey, SingletonMode> }; where: (key: StackSettingKey) => string },
  ): AcceptedRisk[] {
    const risks = new Map<string, AcceptedRisk>();
    const builtIn = [context.singleRegion && BUILT_IN_ACCEPTANCES.singleRegion, !context.manage && BUILT_IN_ACCEPTANCES.accountSettingsElsewhere];
    for (const acceptance of builtIn) {
      if (!acceptance) continue;
      for (const ruleId of acceptance.ruleIds) risks.set(ruleId, { ruleId, reason: acceptance.reason, source: acceptance.source });
    }
    // An external singleton's rules pass where it is managed: this deployment accepts their absence, saying so.
    for (const key of context.manage ? SINGLETON_KEYS : []) {
      if (context.singletons.modes[key] !== "external") continue;
      for (const ruleId of SINGLETONS[key].ruleIds) {
        risks.set(ruleId, { ruleId, reason: `${SINGLETONS[key].description} is managed outside this deployment`, source: `tap (${context.where("singletons")} ${key}=external)` });
      }
    }
    // The product default stands only where the password policy is made: in the owner of the account settings.
    if (layer.settings.passwordReusePrevention === undefined && context.manage && context.singletons.modes.passwordPolicy !== "external") {
      risks.set("IAM.PasswordReusePrevention", { ruleId: "IAM.PasswordReusePrevention", reason: DEFAULT_REUSE_ACCEPTANCE, source: "tap (product default)" });
    }
    const configured = given("acceptRisks");
    for (const [ruleId, reason] of Object.entries((configured?.value ?? {}) as Record<string, string>)) {
      risks.set(ruleId, { ruleId, reason, source: configured!.entryOrigins?.[ruleId] ?? configured!.origin });
    }
    return [...risks.values()];
  }

  private checkRiskyValues(layer: Layer, where: (key: StackSettingKey) => string, accepted: readonly AcceptedRisk[], manage: boolean): void {
    for (const { setting, ruleId, risky, why, ownerOnly } of RISKY_VALUES) {
      const given = layer.invalid.has(setting) ? undefined : layer.settings[setting];
      if (!given || (ownerOnly && !manage) || !risky(given.value) || accepted.some((risk) => risk.ruleId === ruleId)) continue;
      this.problems.push(
        `${where(setting)}: ${JSON.stringify(given.value)} ${why(given.value)}; change it, or accept the risk with a reason: TAP_ACCEPT_RISKS="${ruleId}=<why>" (or acceptRisks in ${DEFAULT_CONFIG_FILE})`,
      );
    }
  }

  /**
   * What the owner does about each singleton, and the names adopted ones keep. Refuses what
   * cannot work at apply: a mode for a control that is off, the trail left to others while
   * AWS Config still delivers to tap's trail bucket, an adoption without the name AWS knows
   * the resource by, a name for something not adopted.
   */
  private resolveSingletons(
    given: (key: StackSettingKey) => Setting | undefined,
    where: (key: StackSettingKey) => string,
    manage: boolean,
    flags: { guardDuty: boolean; securityHub: boolean; awsConfig: boolean },
    regions: readonly string[],
    namesValid: boolean,
    archive = false,
  ): { modes: Record<SingletonKey, SingletonMode>; names: Record<string, string> } {
    const modesGiven = given("singletons") as Setting<Record<string, SingletonMode>> | undefined;
    const namesGiven = given("adoptNames") as Setting<Record<string, string>> | undefined;
    // Where one entry came from: "tap.config.json $.singletons.trail", or "TAP_SINGLETONS (trail)".
    const entry = (setting: Setting<Record<string, string>>, key: string) => {
      const origin = setting.entryOrigins?.[key] ?? setting.origin;
      return origin.includes(" $") ? `${origin}${formatJsonPath([key]).slice(1)}` : `${origin} (${key})`;
    };
    if (!manage) {
      for (const setting of [modesGiven, namesGiven]) {
        if (setting) this.problems.push(`${setting.origin}: is set while ${where("accountSettings")} is skip; the deployment that owns the account's settings decides what happens to the account's singletons`);
      }
      return { modes: Object.fromEntries(SINGLETON_KEYS.map((key) => [key, "external"])) as Record<SingletonKey, SingletonMode>, names: {} };
    }
    const modes = Object.fromEntries(SINGLETON_KEYS.map((key) => [key, modesGiven?.value[key] ?? "create"])) as Record<SingletonKey, SingletonMode>;
    const names = namesGiven?.value ?? {};
    if (modesGiven) {
      for (const flag of ["guardDuty", "securityHub", "awsConfig"] as const) {
        if (!flags[flag] && modes[flag] !== "create") {
          this.problems.push(`${entry(modesGiven, flag)}: "${modes[flag]}" has no effect while ${where(flag)} is false; turn ${flag} on, or leave ${flag} out of singletons`);
        }
      }
      if (modes.trail === "external" && flags.awsConfig && modes.awsConfig !== "external" && !archive) {
        this.problems.push(
          `${entry(modesGiven, "trail")}: "external" leaves AWS Config without a bucket: tap's recorders deliver to tap's trail bucket; set awsConfig=external too (the organization's recorder delivers to its own archive), or keep the trail`,
        );
      }
      if (modesGiven.value.configServiceRole === "adopt" && (!flags.awsConfig || modes.awsConfig === "external")) {
        this.problems.push(`${entry(modesGiven, "configServiceRole")}: has no effect: tap records with AWS Config only when awsConfig is on and not external`);
      }
    }
    for (const key of Object.keys(names)) {
      const { singleton } = ADOPTED_NAME_KEYS.get(key.split("/")[0])!;
      const region = key.split("/")[1];
      if (modes[singleton] !== "adopt") {
        this.problems.push(`${entry(namesGiven!, key)}: names an adopted resource, but singletons ${singleton} is "${modes[singleton]}"; set ${singleton}=adopt or remove the name`);
      } else if (region !== undefined && !regions.includes(region)) {
        this.problems.push(`${entry(namesGiven!, key)}: "${region}" is not a guarded region (${where("guardrailRegions")}: ${regions.join(", ")})`);
      }
    }
    // A refused adoptNames has been reported; its names are not also reported missing.
    for (const [key, { singleton }] of namesValid ? ADOPTED_NAME_KEYS : []) {
      if (modes[singleton] !== "adopt") continue;
      const scopes = SINGLETONS[singleton].scope === "region" ? regions : [undefined];
      const missing = scopes.filter((region) => adoptedName(names, key, region) === undefined);
      if (missing.length === 0) continue;
      const regionNote = SINGLETONS[singleton].scope === "region" ? ` (for every region, or "${key}/<region>" for ${missing.join(", ")})` : "";
      this.problems.push(
        `${entry(modesGiven!, singleton)}: "adopt" needs the existing resource's name, which it keeps: set ${where("adoptNames")} ${key}=<name>${regionNote}`,
      );
    }
    return { modes, names };
  }

  /** Guardrails belong to the deployment that owns the account's settings; say when a setting cannot take effect. */
  private checkOwnerOnlySettings(
    given: (key: StackSettingKey) => Setting | undefined,
    where: (key: StackSettingKey) => string,
    manage: boolean,
    singleRegion: boolean,
  ): void {
    if (!manage) {
      for (const key of ["guardDuty", "securityHub", "awsConfig", "alarmEmail", "guardrailRegions", "layout", "regionsPerStack"] as const) {
        const setting = given(key);
        if (setting && setting.value !== false) {
          this.warnings.push(`${where(key)}: has no effect: ${where("accountSettings")} is skip, so the deployment that owns the account's settings decides it`);
        }
      }
    }
    if (singleRegion && given("replication")?.value === true) {
      this.warnings.push(`${where("replication")}: has no effect: a single-region deployment has no other region to replicate to`);
    }
  }

  /**
   * The home region holds the trail and the account-wide resources. By default the first of
   * `regions`; once pinned, reordering `regions` never moves it.
   */
  private resolveHomeRegion(given: Setting<string> | undefined, regions: readonly string[], regionsOrigin: string): { region: string; reason: string } {
    if (!given) return { region: regions[0] ?? "", reason: "the first of regions; set homeRegion to keep it when regions are reordered" };
    if (!regions.includes(given.value)) {
      this.problems.push(
        `${given.origin}: "${given.value}" is not one of ${regionsOrigin} (${regions.join(", ")}): the home region holds the trail and the account-wide resources, so it must be deployed`,
      );
    }
    return { region: given.value, reason: `set by ${given.origin}` };
  }

  /**
   * A deployment that skips the account's settings relies on the owner deployment for the
   * per-region ones (API Gateway logging role, EBS default encryption, GuardDuty, AWS Config), so
   * it must say where the owner runs, and may deploy only there.
   */
  private checkOwnerRegions(
    given: Setting<string[]> | undefined,
    manage: boolean,
    regions: readonly string[],
    where: (key: StackSettingKey) => string,
  ): readonly string[] | undefined {
    if (manage) {
      if (given) this.problems.push(`${given.origin}: is only for a deployment with ${where("accountSettings")} skip; this one owns the account's settings, in its own regions`);
      return undefined;
    }
    if (!given) {
      this.problems.push(
        `${where("accountSettings")}: is skip, so ${where("ownerRegions")} must name the regions the deployment that owns the account's settings covers (its API Gateway logging role, EBS default encryption, GuardDuty and AWS Config are per region)`,
      );
      return undefined;
    }
    for (const region of regions.filter((r) => !given.value.includes(r))) {
      this.problems.push(
        `${where("regions")}: "${region}" is not covered by the deployment that owns the account's settings (${given.origin}: ${given.value.join(", ")}): it would have no API Gateway logging role, EBS default encryption, GuardDuty or AWS Config there; deploy the owner there too and add it to ${given.origin}, or leave the region out`,
      );
    }
    return given.value;
  }

  /**
   * Tags merge by key from layer to layer (file, variables, a fleet account), so `Team` in one
   * and `team` in another would both reach every role, which IAM refuses. Within one layer the
   * schema already refuses it.
   */
  private checkTagKeyCase(tags: Setting | undefined): void {
    if (!tags) return;
    const seen = new Map<string, string>();
    for (const key of Object.keys(tags.value as object)) {
      const earlier = seen.get(key.toLowerCase());
      seen.set(key.toLowerCase(), key);
      const origins = tags.entryOrigins ?? {};
      if (earlier === undefined || origins[earlier] === origins[key]) continue;
      this.problems.push(`${origins[key] ?? tags.origin}: "${key}" and "${earlier}" (${origins[earlier]}) differ only by case: ${TAG_KEYS_CASE_INSENSITIVE}; use one spelling everywhere`);
    }
  }

  /**
   * Every AWS-visible name the stack will create, checked against its service's rules. The
   * message blames the name settings the user gave (the defaults alone always pass).
   */
  private checkAwsNames(stack: StackConfig, blamed: readonly Setting[]): void {
    // Bucket names hold the account id; without a fleet it is only known at plan time, and always 12 digits.
    const accountId = stack.account?.id ?? "123456789012";
    for (const { kind, name } of stackAwsNames(stack, accountId)) {
      const problem = awsNameProblem(kind, name);
      if (!problem) continue;
      const where = blamed.map((setting) => setting.origin).join(" and ");
      const values = blamed.map((setting) => JSON.stringify(setting.value)).join(" and ");
      this.problems.push(`${where}: ${values} make${blamed.length === 1 ? "s" : ""} the ${AWS_NAME_KIND_LABELS[kind]} name "${name}" invalid (${problem}); choose a shorter or different name`);
      return;
    }
  }

  private stackBackend(
    backend: { type: "s3" | "hcp"; fields: Record<string, Setting<string>> },
    project: string,
    environment: string,
    accountName: string | undefined,
    deploymentAccount: string | undefined,
  ): StateBackend {
    const field = (name: string) => backend.fields[name]?.value;
    if (backend.type === "hcp") {
      return {
        type: "hcp",
        organization: field("organization") ?? "",
        workspace: `${field("workspacePrefix") ?? `${project}-`}${accountName ?? environment}`,
        hostname: field("hostname") ?? DEFAULTS.hcpHostname,
      };
    }
    const region = field("region") ?? DEFAULTS.stateBucketRegion;
    const bucket = field("bucket") ?? (deploymentAccount ? stateBucketName(project, deploymentAccount, region) : undefined);
    const bucketProblem = backend.fields.bucket ? bucketNameProblem(backend.fields.bucket.value) : undefined;
    if (bucketProblem) this.problems.push(`${backend.fields.bucket.origin}: "${bucket}" is not a valid S3 bucket name (${bucketProblem})`);
    if (accountName && backend.fields.key) {
      this.problems.push(`${backend.fields.key.origin}: a fleet cannot share one state key; remove it and set backend.keyPrefix (each account's key is <keyPrefix>/<account>/terraform.tfstate)`);
    }
    if (!accountName && backend.fields.keyPrefix) {
      this.problems.push(`${backend.fields.keyPrefix.origin}: applies to a fleet; without one, set backend.key (or TERRAFORM_STATE_BUCKET_KEY)`);
    }
    const key = accountName
      ? `${field("keyPrefix") ?? project}/${accountName}/terraform.tfstate`
      : (field("key") ?? `${project}/${environment}/terraform.tfstate`);
    const kmsKeyId = field("kmsKeyId");
    const keyRegion = kmsKeyId ? /^arn:[^:]+:kms:([^:]+):/.exec(kmsKeyId)?.[1] : undefined;
    if (keyRegion && keyRegion !== region) {
      this.problems.push(`${backend.fields.kmsKeyId.origin}: "${kmsKeyId}" is a key in ${keyRegion}, but the state bucket is in ${region}; S3 encrypts with a key of the bucket's region`);
    }
    return { type: "s3", bucket, key, region, kmsKeyId };
  }

  /** A member may not take back what the organization runs for it: two owners of one detector or hub fail at apply. */
  private checkOrganizationManaged(given: Setting | undefined, modes: Readonly<Record<SingletonKey, SingletonMode>>): void {
    for (const key of ORGANIZATION_MANAGED_SINGLETONS.filter((managed) => modes[managed] !== "external")) {
      const origin = given?.entryOrigins?.[key] ?? given?.origin ?? "singletons";
      const where = origin.includes(" $") ? `${origin}${formatJsonPath([key]).slice(1)}` : `${origin} (${key})`;
      this.problems.push(`${where}: "${modes[key]}" in an organization, which manages ${SINGLETONS[key].description} for its members (README: Organizations); leave ${key} out, or set it to external`);
    }
  }

  private fleetAccount(account: Record<string, any>, path: JsonPath, display: string): FleetAccount {
    const role: string = account.role ?? "";
    const roleArn = role.startsWith("arn:") ? role : `arn:aws:iam::${account.id}:role/${role}`;
    const roleAccount = /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1];
    if (role && account.id && roleAccount !== account.id) {
      this.problems.push(`${display} ${formatJsonPath([...path, "role"])}: "${role}" is a role in account ${roleAccount}, not ${account.id}; expected a role in the account it reaches`);
    }
    return { id: account.id, name: account.name, roleArn };
  }

  /** Account ids and names are unique, and no two VPCs of the whole fleet overlap. */
  private checkFleet(stacks: readonly StackConfig[], accounts: readonly Record<string, any>[], display: string): void {
    const where = (index: number, key: string) => `${display} ${formatJsonPath(["fleet", "accounts", index, key])}`;
    accounts.forEach((account, index) => {
      for (const key of ["id", "name"]) {
        const first = accounts.findIndex((other) => other[key] !== undefined && other[key] === account[key]);
        if (first !== index && account[key] !== undefined) {
          this.problems.push(`${where(index, key)}: "${account[key]}" is already used by ${formatJsonPath(["fleet", "accounts", first])}; each account appears once`);
        }
      }
    });
    // A region stack is named after its account (<name>-guardrails-<n>), so an account of that name would share its folder and state.
    stacks.forEach((stack, index) => {
      const owner = stacks.find((other) => other.regionStacks.some((regionStack) => regionStack.stackName === stack.stackName));
      if (owner) this.problems.push(`${where(index, "name")}: "${stack.stackName}" is the name of a region stack of account "${owner.stackName}" (layout split); choose another name`);
    });
    const seen: { stack: string; index: number; region: string; text: string; cidr: Ipv4Cidr }[] = [];
    stacks.forEach((stack, index) => {
      for (const { region, vpcCidr } of stack.regions) {
        const cidr = parseIpv4Cidr(vpcCidr);
        if (typeof cidr === "string") continue;
        const clash = seen.find((other) => other.index !== index && cidrsOverlap(other.cidr, cidr));
        if (clash) {
          this.problems.push(
            `${where(index, "vpcCidrs")}: ${region} "${vpcCidr}" overlaps ${clash.region} "${clash.text}" of account "${clash.stack}"; VPC CIDRs must not overlap across the fleet (so accounts can be peered or joined by a transit gateway): give each account its own vpcCidrs`,
          );
        }
        seen.push({ stack: stack.stackName, index, region, text: vpcCidr, cidr });
      }
    });
  }

  private report(issues: readonly SchemaIssue[], origin: string): void {
    for (const issue of issues) this.problems.push(describeIssue(issue, origin));
  }
}

/** `TAP_REGIONS: "mars-1" is not a supported region; ...` or `tap.config.json $.regions[1]: ...` */
function describeIssue(issue: SchemaIssue, origin: string): string {
  const isFile = !/^[A-Z_]+$/.test(origin);
  // A variable holding an object names the entry: TAP_TAGS["Owner"]. List positions need no index: the value is quoted.
  const entry = issue.path.filter((part): part is string => typeof part === "string" && !issue.unknownKey);
  const where = isFile ? `${origin} ${formatJsonPath(issue.path)}` : `${origin}${entry.map((key) => `[${JSON.stringify(key)}]`).join("")}`;
  return issue.value === undefined ? `${where}: ${issue.problem}` : `${where}: ${JSON.stringify(issue.value)} ${issue.problem}`;
}

function emptyLayer(): Layer {
  return { settings: {}, invalid: new Set() };
}

function entryOriginsOf(key: StackSettingKey, value: unknown, origin: string): Record<string, string> | undefined {
  if (!MERGED_BY_KEY.includes(key) || typeof value !== "object" || value === null) return undefined;
  return Object.fromEntries(Object.keys(value).map((entry) => [entry, origin]));
}

/** `over` wins; records in MERGED_BY_KEY merge entry by entry; a refused setting stays refused. */
function mergeLayers(under: Layer, over: Layer): Layer {
  const settings: Partial<Record<StackSettingKey, Setting>> = { ...under.settings };
  for (const [key, setting] of Object.entries(over.settings) as [StackSettingKey, Setting][]) {
    const below = under.settings[key];
    settings[key] =
      MERGED_BY_KEY.includes(key) && below
        ? {
            value: { ...(below.value as object), ...(setting.value as object) },
            origin: setting.origin,
            entryOrigins: { ...below.entryOrigins, ...setting.entryOrigins },
          }
        : setting;
  }
  const invalid = new Set([...under.invalid].filter((key) => !(key in over.settings)));
  for (const key of over.invalid) invalid.add(key);
  return { settings, invalid };
}

/** Whether the owner creates (or adopts) any regional guardrail: EBS encryption and the analyzer are always on, the paid three by flag. */
function buildsRegionalGuardrails(modes: Readonly<Record<SingletonKey, SingletonMode>>, flags: { guardDuty: boolean; securityHub: boolean; awsConfig: boolean }): boolean {
  const built = (key: SingletonKey) => modes[key] !== "external";
  return built("ebsEncryption") || built("accessAnalyzer") || (flags.guardDuty && built("guardDuty")) || (flags.securityHub && built("securityHub")) || (flags.awsConfig && built("awsConfig"));
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

/** The account stack's backend for a region stack: its own state object beside the account's, or its own workspace. */
function regionStackBackend(backend: StateBackend, suffix: string): StateBackend {
  if (backend.type === "hcp") return { ...backend, workspace: `${backend.workspace}-${suffix}` };
  const slash = backend.key.lastIndexOf("/");
  return { ...backend, key: `${backend.key.slice(0, slash + 1)}${suffix}/${backend.key.slice(slash + 1)}` };
}
