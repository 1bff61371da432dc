import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { ConfigConfigurationAggregator } from "@cdktf/provider-aws/lib/config-configuration-aggregator";
import { DataAwsGuarddutyDetector } from "@cdktf/provider-aws/lib/data-aws-guardduty-detector";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyOrganizationConfiguration } from "@cdktf/provider-aws/lib/guardduty-organization-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityhubConfigurationPolicy } from "@cdktf/provider-aws/lib/securityhub-configuration-policy";
import { SecurityhubConfigurationPolicyAssociation } from "@cdktf/provider-aws/lib/securityhub-configuration-policy-association";
import { SecurityhubFindingAggregator } from "@cdktf/provider-aws/lib/securityhub-finding-aggregator";
import { SecurityhubOrganizationConfiguration } from "@cdktf/provider-aws/lib/securityhub-organization-configuration";
import type { SeverityLabel } from "../audit/findings-facts";
import { FindingsTopic } from "../audit/findings-topic";
import { nameTag, NameScope, resourceName } from "../aws/naming";
import type { SingletonMode } from "../aws/singletons";
import { GuardDutyProtection } from "../guardrails/guardduty-protection";
import { DEFAULT_SECURITY_HUB_STANDARDS, GUARDDUTY_FINDING_FREQUENCY, GuardDutyProtectionPlan, SECURITY_HUB_STANDARDS, securityHubStandardArn, SecurityHubStandard } from "../guardrails/guardrail-facts";
import { suppressRule } from "../compliance/suppressions";
import { serviceTrustPolicy } from "../identity/trust-policy";
import { ADOPTED_DETECTOR_LOOKUP } from "./organization-facts";
import { adoptExisting } from "../terraform/adopt-existing";

/** AWS's managed policy that lets AWS Config read the organization's accounts for an aggregator. */
export const CONFIG_ORGANIZATION_AGGREGATOR_POLICY = "service-role/AWSConfigRoleForOrganizations";

/**
 * Why the aggregator's role trusts AWS Config without aws:SourceAccount, which tap requires of
 * AWS Config's recorder role. AWS documents that condition for the role assigned to AWS Config
 * (iamrole-permissions.html), but not for the organization aggregator's role: AWS's aggregator
 * guide, the provider's aws_config_configuration_aggregator example and Control Tower's own
 * AWSControlTowerConfigAggregatorRoleForOrganizations all trust config.amazonaws.com
 * unconditioned, and nothing documents that AWS Config sends the key when it assumes this role.
 * A condition it does not send would fail PutConfigurationAggregator's check of the role
 * (InvalidRoleException) or stop aggregation; without it, no other account can use the role:
 * passing a role to AWS Config needs iam:PassRole, which never crosses accounts, and the role
 * only reads the organization (AWSConfigRoleForOrganizations).
 * @see https://docs.aws.amazon.com/config/latest/developerguide/set-up-aggregator-cli.html
 * @see https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html
 */
export const AGGREGATOR_TRUST_UNCONDITIONED =
  "AWS documents the organization aggregator's role trust without aws:SourceAccount (set-up-aggregator-cli.html; Control Tower's aggregator role is the same) and does not document that AWS Config sends it for this role; iam:PassRole keeps other accounts from using the role, which only reads the organization";

export interface OrganizationSecurityProps {
  /** Provider of the security account in the home Region: Security Hub's central configuration and the AWS Config aggregator live there. */
  readonly provider: AwsProvider;
  /** Providers of the security account by Region (the home Region's among them): GuardDuty and IAM Access Analyzer run in each. */
  readonly regionProviders: ReadonlyMap<string, AwsProvider>;
  /** Project and environment for names, and the home region. */
  readonly naming: NameScope & { readonly region: string };
  /** The security account (the delegated administrator). */
  readonly accountId: string;
  /** AWS partition for ARNs. May be a token. */
  readonly partition: string;
  /** Where Security Hub's configuration policy applies: the root's id (r-...) or organizational unit ids. */
  readonly securityHubTargets: readonly string[];
  /**
   * The standards the configuration policy enables in every account and linked Region.
   * IMPORTANT: a standard left out is disabled in every account the policy reaches.
   * @default ["fsbp", "cis-v5"]
   */
  readonly securityHubStandards?: readonly SecurityHubStandard[];
  /**
   * The GuardDuty protection plans on the security account's detectors and auto-enabled for
   * every member (ALL: existing accounts too), in every Region; the others are declared off.
   * @default every plan (GUARDDUTY_PROTECTION_PLAN_KEYS)
   */
  readonly guardDutyProtection?: readonly GuardDutyProtectionPlan[];
  /**
   * The aggregated findings sent to the security account's own topic: the lowest severity label
   * notified, and an e-mail address subscribed to the topic.
   * @default - HIGH and CRITICAL findings, no subscription
   */
  readonly findings?: { readonly severity?: SeverityLabel; readonly email?: string };
  /**
   * What to do about the security account's GuardDuty detector, by Region: create one, adopt the
   * one delegation (or Control Tower, or an earlier setup) enabled (found at plan by the
   * aws_guardduty_detector data source, which fails where there is none, then imported), or leave
   * GuardDuty in that Region to another tool (no detector, organization configuration or plans).
   * @default "adopt" in every Region: designating the delegated administrator enables GuardDuty there
   * @see https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html
   */
  readonly guardDutyModes?: Readonly<Record<string, SingletonMode>>;
  /**
   * Security Hub's organization configuration (finding aggregator, central configuration, policy
   * and its associations): created, or left to another tool that already runs it.
   * @default "create"
   */
  readonly securityHub?: "create" | "external";
  /**
   * Keep the findings topic's key on `destroy`.
   * @default false
   */
  readonly protect?: boolean;
}

/**
 * The delegated administrator's part of the organization, in the security account: GuardDuty on
 * in every Region (the detector delegation enabled adopted, by default) and auto-enabled for every
 * member (existing and new), Security Hub's central
 * configuration with a policy turning on the chosen standards (FSBP and CIS AWS Foundations
 * Benchmark v5.0.0 by default) in every account, findings of every Region aggregated to the home
 * Region, an AWS Config aggregator over the organization, an organization IAM Access Analyzer in
 * every Region, and the aggregated findings of every account routed to an encrypted topic of the
 * security account. The
 * management stack must have designated this account first (OrganizationManagement); that
 * designation also switches Security Hub on here, so this construct does not.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html
 * @see https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html
 */
export class OrganizationSecurity extends Construct {
  /** GuardDuty detector ids of the security account, by Region (none where GuardDuty is external). */
  public readonly detectorIds: ReadonlyMap<string, string>;
  /** ARN of the organization's AWS Config aggregator. */
  public readonly aggregatorArn: string;
  /** Id of Security Hub's configuration policy; undefined when Security Hub is external. */
  public readonly securityHubPolicyId?: string;
  /** ARN of the topic the aggregated findings go to. */
  public readonly findingsTopicArn: string;

  constructor(scope: Construct, id: string, props: OrganizationSecurityProps) {
    super(scope, id);
    this.validate(props);
    const detectorIds = new Map<string, string>();
    for (const [region, provider] of props.regionProviders) {
      const naming = { ...props.naming, region };
      const mode = props.guardDutyModes?.[region] ?? "adopt";
      if (mode !== "external") detectorIds.set(region, this.buildGuardDuty(provider, naming, mode === "adopt", props.guardDutyProtection));
      new AccessanalyzerAnalyzer(this, `access-analyzer-${region}`, {
        provider,
        analyzerName: resourceName(naming, "organization-analyzer"),
        type: "ORGANIZATION",
        tags: nameTag(naming, "organization-analyzer"),
      });
    }
    this.detectorIds = detectorIds;
    this.securityHubPolicyId = (props.securityHub ?? "create") === "create" ? this.buildSecurityHub(props) : undefined;
    this.aggregatorArn = this.buildConfigAggregator(props);
    // The aggregation Region holds every linked Region's findings: one rule there sees them all.
    const findings = new FindingsTopic(this, "findings", {
      provider: props.provider,
      naming: props.naming,
      accountId: props.accountId,
      partition: props.partition,
      severity: props.findings?.severity,
      email: props.findings?.email,
      protect: props.protect,
    });
    this.findingsTopicArn = findings.topicArn;
  }

  /**
   * The administrator's own detector, and every member's switched on (ALL: existing accounts too,
   * not only new ones), each with the protection plans: FSBP's GuardDuty.5-13 fail in an
   * organization unless the administrator and every member have them. An adopted detector is the
   * one the data source finds at plan (one detector per account and Region), then imported.
   */
  private buildGuardDuty(provider: AwsProvider, naming: NameScope & { region: string }, adopt: boolean, plans: readonly GuardDutyProtectionPlan[] | undefined): string {
    const detector = new GuarddutyDetector(this, `guardduty-${naming.region}`, {
      provider,
      enable: true,
      findingPublishingFrequency: GUARDDUTY_FINDING_FREQUENCY,
      tags: nameTag(naming, "guardduty"),
    });
    // Where there is none, the plan stops at this lookup ("reading this account's single GuardDuty Detector: empty result"), before anything is applied; planFailureHints says what to set.
    if (adopt) adoptExisting(detector, new DataAwsGuarddutyDetector(this, `${ADOPTED_DETECTOR_LOOKUP}-${naming.region}`, { provider }).id);
    const organization = new GuarddutyOrganizationConfiguration(this, `guardduty-organization-${naming.region}`, { provider, detectorId: detector.id, autoEnableOrganizationMembers: "ALL" });
    new GuardDutyProtection(this, `guardduty-protection-${naming.region}`, { provider, detectorId: detector.id, plans, organizationConfiguration: organization });
    return detector.id;
  }

  /**
   * Central configuration from the home Region: the finding aggregator first (AWS requires it),
   * then the organization's configuration type, then one policy enabling Security Hub with the
   * chosen standards, associated with the targets so every account in them gets them.
   */
  private buildSecurityHub(props: OrganizationSecurityProps): string {
    const home = props.naming.region;
    const others = [...props.regionProviders.keys()].filter((region) => region !== home);
    const aggregator = new SecurityhubFindingAggregator(this, "securityhub-aggregator", {
      provider: props.provider,
      linkingMode: others.length > 0 ? "SPECIFIED_REGIONS" : "ALL_REGIONS",
      specifiedRegions: others.length > 0 ? others : undefined,
    });
    const central = new SecurityhubOrganizationConfiguration(this, "securityhub-organization", {
      provider: props.provider,
      autoEnable: false,
      autoEnableStandards: "NONE",
      organizationConfiguration: { configurationType: "CENTRAL" },
      dependsOn: [aggregator],
    });
    const standards = props.securityHubStandards ?? DEFAULT_SECURITY_HUB_STANDARDS;
    const policy = new SecurityhubConfigurationPolicy(this, "securityhub-policy", {
      provider: props.provider,
      // The name predates the standards setting: a new name would replace the policy and its associations.
      name: resourceName(props.naming, "cis-v3").slice(0, 128),
      description: `Security Hub on, with ${standards.map((standard) => SECURITY_HUB_STANDARDS[standard].name).join(" and ")}, in every account and linked Region`.slice(0, 512),
      configurationPolicy: {
        serviceEnabled: true,
        enabledStandardArns: standards.map((standard) => securityHubStandardArn(props.partition, home, standard)),
        securityControlsConfiguration: { disabledControlIdentifiers: [] },
      },
      dependsOn: [central],
    });
    props.securityHubTargets.forEach((target, index) => {
      new SecurityhubConfigurationPolicyAssociation(this, `securityhub-policy-target-${index + 1}`, { provider: props.provider, targetId: target, policyId: policy.id });
    });
    return policy.id;
  }

  /** An aggregator over every account of the organization and every Region it uses, with the role AWS Config reads the organization with. */
  private buildConfigAggregator(props: OrganizationSecurityProps): string {
    const trust = serviceTrustPolicy(this, "config-aggregator-trust", { provider: props.provider, service: "config.amazonaws.com", unconditioned: AGGREGATOR_TRUST_UNCONDITIONED });
    const role = new IamRole(this, "config-aggregator-role", {
      provider: props.provider,
      name: resourceName({ project: props.naming.project, environment: props.naming.environment }, "config-aggregator"),
      description: "Lets AWS Config read the organization's accounts for the organization aggregator",
      assumeRolePolicy: trust.json,
      tags: nameTag({ project: props.naming.project, environment: props.naming.environment }, "config-aggregator"),
    });
    suppressRule(role, "IAM.TrustNamesServicePrincipal", AGGREGATOR_TRUST_UNCONDITIONED);
    const attachment = new IamRolePolicyAttachment(this, "config-aggregator-policy", {
      provider: props.provider,
      role: role.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/${CONFIG_ORGANIZATION_AGGREGATOR_POLICY}`,
    });
    const aggregator = new ConfigConfigurationAggregator(this, "config-aggregator", {
      provider: props.provider,
      name: resourceName({ project: props.naming.project, environment: props.naming.environment }, "organization"),
      organizationAggregationSource: { allRegions: false, regions: [...props.regionProviders.keys()], roleArn: role.arn },
      tags: nameTag({ project: props.naming.project, environment: props.naming.environment }, "config-aggregator"),
      dependsOn: [attachment],
    });
    return aggregator.arn;
  }

  private validate(props: OrganizationSecurityProps): void {
    const problems: string[] = [];
    if (!props.regionProviders.has(props.naming.region)) problems.push(`'regionProviders' has no provider for the home region "${props.naming.region}" (naming.region)`);
    if (props.securityHubTargets.length === 0) problems.push("'securityHubTargets' must name the root or at least one organizational unit");
    if (props.securityHubStandards?.length === 0) problems.push("'securityHubStandards' must name at least one standard. Received: []");
    if (!/^\d{12}$/.test(props.accountId)) problems.push(`'accountId' "${props.accountId}" is not a 12-digit account id`);
    for (const region of Object.keys(props.guardDutyModes ?? {}).filter((region) => !props.regionProviders.has(region))) {
      problems.push(`'guardDutyModes' names "${region}", which has no provider in 'regionProviders'`);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
  }
}
