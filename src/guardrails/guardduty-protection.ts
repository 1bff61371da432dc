import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { GuarddutyOrganizationConfigurationFeature } from "@cdktf/provider-aws/lib/guardduty-organization-configuration-feature";
import { GUARDDUTY_PROTECTION_PLAN_KEYS, GUARDDUTY_PROTECTION_PLANS, guardDutyFeatureSettings, GuardDutyProtectionPlan } from "./guardrail-facts";

export interface GuardDutyProtectionProps {
  /** Provider of the detector's account and region. */
  readonly provider: AwsProvider;
  /** The region's detector (created or adopted). May be a token. */
  readonly detectorId: string;
  /**
   * The protection plans turned on; every other plan's feature is declared DISABLED, since
   * removing an aws_guardduty_detector_feature from the configuration only forgets it.
   * @default every plan (GUARDDUTY_PROTECTION_PLAN_KEYS)
   */
  readonly plans?: readonly GuardDutyProtectionPlan[];
  /**
   * Also auto-enable the same plans for every member account, existing and new (auto_enable
   * ALL), through the organization configuration of this delegated administrator's detector,
   * declared after `organizationConfiguration`.
   * @default - the detector's own plans only
   */
  readonly organizationConfiguration?: ITerraformDependable;
}

/**
 * GuardDuty's protection plans on one detector: one aws_guardduty_detector_feature per feature
 * (FSBP GuardDuty.5-GuardDuty.13), and for a delegated administrator one
 * aws_guardduty_organization_configuration_feature per feature, so members get the same.
 * Runtime Monitoring carries the agent management of each runtime plan (EKS, ECS on Fargate, EC2);
 * EKS_RUNTIME_MONITORING, which AWS refuses beside RUNTIME_MONITORING, is never declared.
 * @see https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-features-activation-model.html
 */
export class GuardDutyProtection extends Construct {
  constructor(scope: Construct, id: string, props: GuardDutyProtectionProps) {
    super(scope, id);
    const plans = props.plans ?? GUARDDUTY_PROTECTION_PLAN_KEYS;
    const unknown = plans.filter((plan) => !(plan in GUARDDUTY_PROTECTION_PLANS));
    if (unknown.length > 0 || new Set(plans).size !== plans.length) {
      throw new Error(`${this.node.path}: 'plans' must list each of ${GUARDDUTY_PROTECTION_PLAN_KEYS.join(", ")} at most once. Received: ${JSON.stringify(plans)}`);
    }
    for (const feature of guardDutyFeatureSettings(plans)) {
      // Ids are per feature, never positional: a plan's change touches its feature only.
      const id = feature.name.toLowerCase().replace(/_/g, "-");
      new GuarddutyDetectorFeature(this, id, {
        provider: props.provider,
        detectorId: props.detectorId,
        name: feature.name,
        status: feature.enabled ? "ENABLED" : "DISABLED",
        additionalConfiguration: feature.agents.length > 0 ? feature.agents.map((agent) => ({ name: agent.name, status: agent.enabled ? "ENABLED" : "DISABLED" })) : undefined,
      });
      if (!props.organizationConfiguration) continue;
      new GuarddutyOrganizationConfigurationFeature(this, `organization-${id}`, {
        provider: props.provider,
        detectorId: props.detectorId,
        name: feature.name,
        autoEnable: feature.enabled ? "ALL" : "NONE",
        additionalConfiguration: feature.agents.length > 0 ? feature.agents.map((agent) => ({ name: agent.name, autoEnable: agent.enabled ? "ALL" : "NONE" })) : undefined,
        dependsOn: [props.organizationConfiguration],
      });
    }
  }
}
