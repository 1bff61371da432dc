/**
 * Reads the configuration from the file (when there is one) and the environment, validates
 * all of it at once and resolves one StackConfig per account. Layers, most specific last:
 * defaults, the file's top level, environment variables, a fleet account's own settings.
 *
 * Each concern resolves and checks its own settings (`src/<concern>/<concern>-settings.ts`);
 * this module reads the layers, hands each stack's merged settings to the concerns in turn,
 * runs the checks that span stacks, and reports every problem at once.
 */
import { AUDIT_DEFAULTS, resolveHomeRegion } from "../audit/audit-settings";
import type { SeverityLabel } from "../audit/findings-facts";
import { AWS_NAME_KIND_LABELS, awsNameProblem } from "../aws/limits";
import { GUARDRAIL_DEFAULTS, OrganizationPart, regionStacks, resolveGuardrails } from "../guardrails/guardrail-settings";
import { GUARDDUTY_PROTECTION_PLAN_KEYS, GuardDutyProtectionPlan } from "../guardrails/guardrail-facts";
import { checkTagKeyCase, IDENTITY_DEFAULTS } from "../identity/identity-settings";
import { checkFleetVpcCidrs, NETWORK_DEFAULTS, resolveNetwork } from "../network/network-settings";
import { ORGANIZATION_ENVIRONMENT } from "../organization/organization-facts";
import { checkFleetAccounts, fleetAccount, GivenAccount, organizationForMembers, OrganizationConfig, resolveOrganization, roleManagedSingletons } from "../organization/organization-settings";
import { DEFAULT_CONFIG_FILE, Problems, Setting } from "../settings/problems";
import { formatJsonPath, JsonPath, SchemaIssue, StringSchema } from "../settings/schema";
import { closest } from "../settings/suggest";
import {
  BackendSettings,
  bootstrapConfig,
  BOOTSTRAP_STACK_NAME,
  checkBackend,
  PROTECTED_ENVIRONMENT_PREFIX,
  readBackend,
  resolveProtectData,
  STORAGE_DEFAULTS,
  stackBackend,
  withBootstrapStateKey,
} from "../storage/storage-settings";
import { CONFIG_FILE_VARIABLE, ConfigFile, readConfigFile } from "./config-file";
import { emptyLayer, Layer, layerFromObject, layerFromVariables, mergeLayers, viewOf } from "./layers";
import type { RoleBaselines, StackConfig, TapConfig } from "./model";
import { ACCOUNT_ID_SCHEMA, KNOWN_VARIABLES, PROJECT_SCHEMA, RISKY_VALUES, StackFields, stackFields, TOOL_VARIABLES } from "./settings";
import { stackAwsNames } from "./stack-names";

export { BOOTSTRAP_STACK_NAME, CONFIG_FILE_VARIABLE, DEFAULT_CONFIG_FILE, PROTECTED_ENVIRONMENT_PREFIX, RISKY_VALUES };
export { DEFAULT_REUSE_ACCEPTANCE } from "../identity/identity-settings";
export { MANAGEMENT_STACK_NAME, ORGANIZATION_MANAGED_SINGLETONS } from "../organization/organization-settings";

/** Name of the stack when there is no fleet (and of its folder under cdktf.out/stacks). */
export const SINGLE_STACK_NAME = "tap";

export const DEFAULTS = {
  project: "tap",
  environment: "dev",
  ...NETWORK_DEFAULTS,
  ...AUDIT_DEFAULTS,
  ...IDENTITY_DEFAULTS,
  ...STORAGE_DEFAULTS,
  ...GUARDRAIL_DEFAULTS,
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
  /**
   * The rule pack's ids, which accepted risks must name; asked only when a risk is accepted.
   * The app's loadConfig (src/app/load-config.ts) passes the pack's. @default none: accepting a risk is a programming error
   */
  readonly ruleIds?: () => readonly string[];
  /**
   * The outputs of the bootstrap stack's local state, when it has been applied here: the state
   * key's ARN (`state_kms_key_arn`) becomes the S3 backend's kmsKeyId unless one is set. Only the
   * synth entry (main.ts) reads that file, so tests and tools never depend on a local bootstrap.
   * @default none: the backend's kmsKeyId is what the configuration says
   */
  readonly bootstrapOutputs?: () => Readonly<Record<string, string>> | undefined;
}

/**
 * Reads and validates the whole configuration. Collects every problem and throws one
 * ConfigError, before any construct exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): TapConfig {
  return new ConfigLoader(env, options).load();
}

type Project = Setting<string> & { given: boolean };
type OrganizationGiven = Parameters<typeof resolveOrganization>[0];
/**
 * A fleet account's stack: where its settings are given, and what its organization decides for
 * it. An organization's own account has no settings of its own: its path is the top level's ([]).
 */
interface AccountContext {
  readonly account: GivenAccount;
  readonly path: JsonPath;
  readonly display: string;
  readonly organization?: OrganizationPart & { readonly delivery: { readonly bucketName: string; readonly keyPrefix: string } };
}

class ConfigLoader {
  private readonly problems = new Problems();
  private readonly env: Record<string, string>;
  private readonly fields: StackFields;

  constructor(
    rawEnv: NodeJS.ProcessEnv,
    private readonly options: LoadOptions,
  ) {
    this.fields = stackFields(
      options.ruleIds ??
        (() => {
          throw new Error("loadConfig: acceptRisks needs the rule pack's ids (options.ruleIds); load through src/app/load-config.ts");
        }),
    );
    // A setting's variable that is set but empty is refused: in a pipeline that is what a missing
    // secret looks like, and reading it as unset would deploy the defaults (a dev stack, data
    // protection off) in its place. Other empty variables count as unset.
    for (const [name, value] of Object.entries(rawEnv)) {
      if (value !== undefined && value.trim() === "" && KNOWN_VARIABLES.includes(name) && !TOOL_VARIABLES.includes(name)) {
        this.problems.error(`${name}: is set but empty; unset it, or give it a value`);
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
    const file = readConfigFile(this.options.file === undefined ? this.env[CONFIG_FILE_VARIABLE] : this.options.file, this.options.cwd ?? process.cwd(), this.fields, this.problems);
    const fromFile = file?.settings ? layerFromObject(this.fields, file.settings, file.invalid, file.display, []) : emptyLayer();
    const top = mergeLayers(fromFile, layerFromVariables(this.fields, this.env, this.problems));
    const project = this.resolveTopLevel(file, "project", "TAP_PROJECT", PROJECT_SCHEMA, DEFAULTS.project);
    const accountId = this.resolveTopLevel(file, "accountId", "TAP_ACCOUNT_ID", ACCOUNT_ID_SCHEMA, undefined).value;
    const accounts = file?.settings?.fleet?.accounts as GivenAccount[] | undefined;
    const given = readBackend(file?.settings?.backend as Record<string, string> | undefined, file?.display ?? DEFAULT_CONFIG_FILE, this.env, this.problems);
    const backend = withBootstrapStateKey(given, project.value, accountId, this.options.bootstrapOutputs);
    checkBackend(backend, accounts !== undefined, this.problems);
    const accountLayers = (accounts ?? []).map((account, index) => this.accountLayer(file!, top, account, index));
    const organizationGiven = file?.settings?.organization && !file.invalid.has("organization") ? file.settings.organization : undefined;
    if (organizationGiven && !accounts) this.problems.error(`${file!.display} $.organization: needs fleet.accounts, the organization's member accounts; add them`);
    const members = organizationGiven && accounts ? this.organizationForMembers(organizationGiven as OrganizationGiven, project.value, top, accountLayers, file!.display) : undefined;
    const stackContext = { project, backend, deploymentAccount: accountId };
    const stacks = accounts
      ? accounts.map((account, index) =>
          this.resolveStack(members ? mergeLayers(members.layer, accountLayers[index]) : accountLayers[index], stackContext, { account, path: ["fleet", "accounts", index], display: file!.display, organization: members?.member }),
        )
      : [this.resolveStack(top, stackContext)];
    if (accounts) {
      checkFleetAccounts(stacks, accounts, file!.display, this.problems);
      checkFleetVpcCidrs(stacks, (index) => `${file!.display} ${formatJsonPath(["fleet", "accounts", index, "vpcCidrs"])}`, this.problems);
    }
    const organization = organizationGiven && members ? this.resolveOrganization(organizationGiven as OrganizationGiven, members, stacks, accounts!, { project: project.value, backend, accountId, top, display: file!.display }) : undefined;
    const roleBaselines = organization && members ? this.resolveRoleBaselines(organization, members.member.delivery, top, stackContext, file!.display) : undefined;
    const bootstrap = bootstrapConfig(stacks[0]?.backend, project.value, accountId, (top.settings.tags?.value as Record<string, string> | undefined) ?? {});
    const taken = bootstrap && stacks.find((stack) => stack.stackName === BOOTSTRAP_STACK_NAME);
    if (taken) this.problems.error(`${taken.account ? "fleet account name" : "stack name"} "${BOOTSTRAP_STACK_NAME}": is the state bucket's own stack (npm run bootstrap); choose another name`);
    if (this.problems.errors.length > 0) throw new ConfigError(this.problems.errors);
    return { project: project.value, accountId, bootstrap, stacks, organization, roleBaselines, file: file?.path, warnings: this.problems.warnings };
  }

  /** `TAP_REGION` (singular) is a typo of `TAP_REGIONS`, not a setting to ignore. */
  private checkVariableNames(): void {
    for (const name of Object.keys(this.env)) {
      if (!/^(TAP_|TERRAFORM_STATE_)/.test(name) || KNOWN_VARIABLES.includes(name)) continue;
      const suggestion = closest(name, KNOWN_VARIABLES);
      this.problems.error(`${name}: is not a variable tap knows;${suggestion ? ` did you mean ${suggestion}?` : ""} docs/configuration.md lists every setting`);
    }
  }

  /** A fleet account's own settings over the top level's. */
  private accountLayer(file: ConfigFile, top: Layer, account: GivenAccount, index: number): Layer {
    const prefix = `fleet.accounts.${index}.`;
    const invalid = new Set([...file.invalid].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
    return mergeLayers(top, layerFromObject(this.fields, account as Record<string, unknown>, invalid, file.display, ["fleet", "accounts", index]));
  }

  /** A top-level setting (project, accountId): its variable over the file. */
  private resolveTopLevel<D extends string | undefined>(file: ConfigFile | undefined, key: "project" | "accountId", variable: string, schema: StringSchema, fallback: D): Setting<string | D> & { given: boolean } {
    const text = this.env[variable];
    if (text !== undefined) {
      const issues: SchemaIssue[] = [];
      const value = schema.parse(text, [], issues);
      this.problems.report(issues, variable);
      return { value: value ?? fallback, origin: variable, given: value !== undefined };
    }
    if (file?.settings?.[key] !== undefined) return { value: file.settings[key], origin: `${file.display} $.${key}`, given: true };
    return { value: fallback, origin: variable, given: false };
  }

  /** What an organization decides for its members, as a layer under their own settings: the services it runs are external to them. */
  private organizationForMembers(org: OrganizationGiven, project: string, top: Layer, accountLayers: readonly Layer[], display: string) {
    const regionsOf = (layer: Layer) => (layer.settings.regions?.value as string[] | undefined) ?? DEFAULTS.regions;
    const homeRegion = (top.settings.homeRegion?.value as string | undefined) ?? regionsOf(top)[0];
    const used = accountLayers.flatMap((layer) => [...regionsOf(layer), ...((layer.settings.retiringRegions?.value as string[] | undefined) ?? [])]);
    const members = organizationForMembers(org, project, { homeRegion, used });
    const origin = `${display} $.organization`;
    const managed = members.member.managedSingletons;
    const layer: Layer = {
      settings: { singletons: { value: Object.fromEntries(managed.map((key) => [key, "external"])), origin, entryOrigins: Object.fromEntries(managed.map((key) => [key, origin])) } },
      invalid: new Set(),
    };
    return { ...members, layer };
  }

  /** The organization's own stacks, from the top level's settings (its accounts are no fleet member). */
  private resolveOrganization(
    org: OrganizationGiven,
    members: { homeRegion: string; allowedRegions: readonly string[] },
    stacks: readonly StackConfig[],
    accounts: readonly GivenAccount[],
    context: { project: string; backend: BackendSettings; accountId?: string; top: Layer; display: string },
  ) {
    const view = viewOf(context.top);
    checkOrganizationGuardDutyProtection(view, this.problems);
    const environment = view.valueOf("environment", DEFAULTS.environment);
    return resolveOrganization(
      org,
      stacks,
      accounts,
      {
        project: context.project,
        display: context.display,
        homeRegion: members.homeRegion,
        allowedRegions: members.allowedRegions,
        backendOf: (name) => stackBackend(context.backend, { project: context.project, environment, accountName: name, deploymentAccount: context.accountId }),
        protect: view.given<boolean>("protectData")?.value ?? environment.startsWith(PROTECTED_ENVIRONMENT_PREFIX),
        logRetentionDays: view.valueOf("logRetentionDays", DEFAULTS.logRetentionDays),
        alarmEmail: view.given<string>("alarmEmail")?.value,
        securityHubStandards: view.valueOf("securityHubStandards", DEFAULTS.securityHubStandards),
        guardDutyProtection: view.valueOf("guardDutyProtection", DEFAULTS.guardDutyProtection),
        findingsSeverity: view.valueOf<SeverityLabel>("findingsSeverity", DEFAULTS.findingsSeverity),
        tags: view.valueOf<Record<string, string>>("tags", {}),
      },
      this.problems,
    );
  }

  /**
   * The organization's own accounts get what every member gets (#26): the account and regional
   * guardrails, resolved from the top level's settings as for a fleet account without settings of
   * its own, in the organization's environment and data protection, guarding the organization's
   * regions in one stack (the role stack), and with what the organization runs for it left
   * external: the trail, GuardDuty, Security Hub and, in the security account, Access Analyzer
   * (it holds the organization's). AWS Config delivers to the log archive, as the members' does.
   * A problem of the top level's settings is reported once, not again for each of these.
   */
  private resolveRoleBaselines(
    organization: OrganizationConfig,
    delivery: { bucketName: string; keyPrefix: string },
    top: Layer,
    context: { project: Project; backend: BackendSettings; deploymentAccount?: string },
    display: string,
  ): RoleBaselines {
    const origin = `${display} $.organization`;
    const roles = {
      logArchive: { ...organization.logArchive, stackName: organization.logArchive.name },
      management: organization.management,
      security: { ...organization.security, stackName: organization.security.name },
    };
    const resolved = Object.entries(roles).map(([role, account]) => {
      const managed = roleManagedSingletons(role as keyof RoleBaselines);
      // AWS Config's service-linked role: trusted access (the management stack) creates it in the
      // organization's member accounts, which adopt it, the security account too. The log archive
      // deploys before trusted access and the management account is not a member, so their
      // baselines create it.
      // https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-config.html
      const creates = role === "management" || role === "logArchive";
      const modes: Record<string, string> = { ...Object.fromEntries(managed.map((key) => [key, "external"])), ...(creates ? { configServiceRole: "create" } : {}) };
      const decided: Layer = {
        settings: { singletons: { value: modes, origin, entryOrigins: Object.fromEntries(Object.keys(modes).map((key) => [key, origin])) } },
        invalid: new Set(),
      };
      // No workload: the home region only, none of the top level's network settings, every guarded region in the role stack.
      const { vpcCidrs, replication, retiringRegions, regionsPerStack, ...settings } = mergeLayers(decided, top).settings;
      const decisions: Layer["settings"] = {
        regions: { value: [organization.homeRegion], origin },
        environment: { value: ORGANIZATION_ENVIRONMENT, origin },
        layout: { value: "single", origin },
        ...(settings.protectData ? {} : { protectData: { value: organization.protect, origin: `${origin} (the organization's stacks' data protection)` } }),
      };
      const own: Layer = { settings: { ...settings, ...decisions }, invalid: new Set([...top.invalid].filter((key) => !(key in decisions))) };
      const given = { id: account.id, name: account.stackName, role: account.roleArn ?? "" };
      const stack = this.reportedOnce(() =>
        this.resolveStack(own, context, { account: given, path: [], display, organization: { guardrailRegions: organization.allowedRegions, managedSingletons: managed, delivery } }),
      );
      // Without a role the management stack acts with the ambient credentials, which allowed_account_ids still pins.
      const reached = account.roleArn ? stack : { ...stack, account: undefined };
      return [role, { ...reached, backend: account.backend }] as const;
    });
    return Object.fromEntries(resolved.filter(([, stack]) => stack.manageAccountSettings));
  }

  /** Runs `resolve`, keeping only the problems and warnings it adds that were not reported already. */
  private reportedOnce<T>(resolve: () => T): T {
    const before = { errors: this.problems.errors.length, warnings: this.problems.warnings.length };
    const result = resolve();
    for (const list of ["errors", "warnings"] as const) {
      const added = this.problems[list].splice(before[list]);
      for (const message of added) if (!this.problems[list].includes(message)) this.problems[list].push(message);
    }
    return result;
  }

  /** One stack's settings: each concern resolves and checks its part, in the order messages read best. */
  private resolveStack(layer: Layer, context: { project: Project; backend: BackendSettings; deploymentAccount?: string }, fleet?: AccountContext): StackConfig {
    const view = viewOf(layer, fleet);
    const environment = view.valueOf("environment", DEFAULTS.environment);
    const account = fleet ? fleetAccount(fleet.account, fleet.path, fleet.display, this.problems) : undefined;
    const network = resolveNetwork(view, this.problems);
    const homeRegion = resolveHomeRegion(view, network.regionNames, this.problems);
    const guardrails = resolveGuardrails(view, this.problems, { regionNames: network.regionNames, regionsValid: !view.refused("regions"), riskyValues: RISKY_VALUES, organization: fleet?.organization });
    const protectData = resolveProtectData(view, environment);
    checkTagKeyCase(view.given("tags"), this.problems);
    const stackName = account?.name ?? SINGLE_STACK_NAME;
    const backend = stackBackend(context.backend, { project: context.project.value, environment, accountName: account?.name, deploymentAccount: context.deploymentAccount });
    const unheld = guardrails.guardrailRegions.filter((region) => !network.regionNames.includes(region));
    const stack: StackConfig = {
      stackName,
      project: context.project.value,
      environment,
      account,
      accountId: account?.id ?? context.deploymentAccount,
      regions: network.regions,
      homeRegion,
      ownerRegions: guardrails.ownerRegions,
      retiringRegions: network.retiringRegions,
      availabilityZoneCount: network.availabilityZoneCount,
      allowedSshCidrs: network.allowedSshCidrs,
      allowedHttpsCidrs: network.allowedHttpsCidrs,
      logRetentionDays: view.valueOf("logRetentionDays", DEFAULTS.logRetentionDays),
      findingsSeverity: view.valueOf<SeverityLabel>("findingsSeverity", DEFAULTS.findingsSeverity),
      passwordReusePrevention: view.valueOf("passwordReusePrevention", DEFAULTS.passwordReusePrevention),
      endpointPrivateDns: network.endpointPrivateDns,
      tags: view.valueOf<Record<string, string>>("tags", {}),
      acceptedRisks: guardrails.acceptedRisks,
      manageAccountSettings: guardrails.manageAccountSettings,
      singletons: guardrails.singletons,
      adoptNames: guardrails.adoptNames,
      protectData,
      replication: network.regionNames.length > 1 && view.valueOf("replication", true),
      guardrails: { ...guardrails.flags, guardDutyProtection: guardrails.guardDutyProtection, securityHubStandards: guardrails.securityHubStandards, configRecording: guardrails.configRecording, alarmEmail: guardrails.alarmEmail, securityContact: guardrails.securityContact },
      backend,
      configDelivery: fleet?.organization?.delivery,
      guardrailRegions: guardrails.guardrailRegions,
      regionStacks: guardrails.layout.split ? regionStacks(stackName, unheld, guardrails.layout.regionsPerStack, backend) : [],
    };
    if (!view.refused("environment") && !view.refused("regions") && network.regions.length > 0) {
      const blamed = [context.project, view.given("environment")].filter((setting): setting is Setting => setting !== undefined && (setting !== context.project || context.project.given));
      this.checkAwsNames(stack, blamed.length > 0 ? blamed : [context.project]);
    }
    return stack;
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
      this.problems.error(`${where}: ${values} make${blamed.length === 1 ? "s" : ""} the ${AWS_NAME_KIND_LABELS[kind]} name "${name}" invalid (${problem}); choose a shorter or different name`);
      return;
    }
  }
}

/**
 * The organization auto-enables the top level's GuardDuty protection plans for every member, whose
 * own stacks leave GuardDuty to it: a plan left out there needs its rule accepted at the top level.
 */
function checkOrganizationGuardDutyProtection(view: ReturnType<typeof viewOf>, problems: Problems): void {
  const given = view.given<GuardDutyProtectionPlan[]>("guardDutyProtection");
  const missing = GUARDDUTY_PROTECTION_PLAN_KEYS.filter((plan) => given && !given.value.includes(plan));
  if (missing.length === 0 || view.given<Record<string, string>>("acceptRisks")?.value["GuardDuty.ProtectionPlans"]) return;
  problems.error(
    `${given!.origin}: ${JSON.stringify(given!.value)} leaves ${missing.join(", ")} off in every member account of the organization (rule GuardDuty.ProtectionPlans); list every plan, or accept the risk at the top level with a reason: TAP_ACCEPT_RISKS="GuardDuty.ProtectionPlans=<why>" (or acceptRisks in ${DEFAULT_CONFIG_FILE})`,
  );
}
