import { Construct } from "constructs";
import { TerraformBackend, TerraformDataSource, TerraformOutput, TerraformResource } from "cdktf";
import { ComplianceValidation } from "../compliance/audit";
import type { RegionStackConfig, StackConfig } from "../config/model";
import { configServiceLinkedRoleArn } from "../guardrails/guardrail-facts";
import { TAP_REGION_STACK_RULES } from "./rule-pack";
import { SinglePassStack, SinglePassStackOptions } from "./single-pass-stack";
import { acceptConfiguredRisks, accountAndPartition, configureBackend, regionGuardrails, regionProviders } from "./stack-parts";
import type { ConfigDeliveryOutput } from "./tap-stack";

/** What a region stack needs of its account stack (TapStack): where its state is, and which output says where AWS Config delivers. */
export interface IAccountStack {
  readonly node: { readonly id: string };
  /** The account stack's backend: its state is read from there (terraform_remote_state). */
  readonly stateBackend: TerraformBackend;
  /** @default - no AWS Config of the account stack's own (off, or external) */
  readonly configDeliveryOutput?: ConfigDeliveryOutput;
}

/** The logical id of the account stack's state in a region stack (`data.terraform_remote_state.account_stack`). */
export const ACCOUNT_STACK_STATE_ID = "account_stack";

export interface RegionStackProps {
  /** The account's configuration (guardrails, singleton modes, tags, reach). */
  readonly account: StackConfig;
  /** This stack's regions and state. */
  readonly stack: RegionStackConfig;
  /**
   * The account stack, deployed first: where AWS Config delivers is read from its state's
   * output (the trail bucket's name).
   */
  readonly accountStack: IAccountStack;
}

/**
 * The split layout's stack for a group of guarded regions without workload (#19): in each, the
 * regional guardrails CIS v3.0.0 asks for in every region (EBS encryption by default with the
 * AWS-managed key, an IAM Access Analyzer) and, as configured, GuardDuty, Security Hub with the
 * CIS standard and an AWS Config recorder delivering to the account stack's trail bucket (an
 * organization member's: to the log archive) with AWS Config's service-linked role. It holds a
 * few providers, so a Terraform run of it stays
 * within the memory budget however many regions the account guards; it has its own state and
 * is judged by the rule pack without the account-wide rules, which the account stack passes.
 */
export class RegionStack extends SinglePassStack {
  /** Providers' regions, in the supported list's order. */
  public readonly regions: readonly string[];

  constructor(scope: Construct, id: string, props: RegionStackProps, options: SinglePassStackOptions = {}) {
    super(scope, id, options);
    this.validate(props);
    const { account: config, stack } = props;
    const source = props.accountStack.configDeliveryOutput;
    this.regions = stack.regions;
    configureBackend(this, stack.backend);
    const providers = regionProviders(this, config, stack.regions);
    const account = accountAndPartition(this, providers.get(stack.regions[0])!, config);
    this.node.addValidation(new ComplianceValidation(this, TAP_REGION_STACK_RULES));

    const recording = config.configDelivery
      ? { role: this.serviceLinkedRole(account), delivery: config.configDelivery, includeGlobalResourceTypes: false }
      : source
        ? this.recordingFrom(props.accountStack, source, account)
        : undefined;
    const detectors: Record<string, string> = {};
    for (const [region, provider] of providers) {
      const guardrails = regionGuardrails(this, config, region, provider, account, { recording });
      if (guardrails.guardDutyDetectorId) detectors[region] = guardrails.guardDutyDetectorId;
    }
    new TerraformOutput(this, "guarded_regions", { value: stack.regions, description: "The regions whose guardrails this stack holds." });
    if (Object.keys(detectors).length > 0) new TerraformOutput(this, "guardduty_detector_ids", { value: detectors, description: "GuardDuty detector id by region." });
    acceptConfiguredRisks(this, config, (ruleId) => this.judgesWhatItDeclares(ruleId));
  }

  /**
   * Whether a rule of this stack's pack judges something it declares: the account's acceptances
   * (the password policy's reuse setting, a log retention) concern the account stack only.
   */
  private judgesWhatItDeclares(ruleId: string): boolean {
    const rule = TAP_REGION_STACK_RULES.find((candidate) => candidate.id === ruleId);
    if (!rule) return false;
    const declared = new Set(["provider.aws", "*"]);
    for (const construct of this.node.findAll()) {
      if (construct instanceof TerraformResource) declared.add(construct.terraformResourceType);
      else if (construct instanceof TerraformDataSource) declared.add(`data.${construct.terraformResourceType}`);
    }
    return rule.appliesTo.some((type) => declared.has(type));
  }

  private validate({ account, stack, accountStack }: RegionStackProps): void {
    const problem = !account.manageAccountSettings
      ? "a region stack holds the account's guardrails, which only the deployment that owns the account's settings builds. Received: manageAccountSettings false"
      : stack.regions.length === 0
        ? "'stack.regions' is empty; a region stack guards at least one region"
        : account.guardrails.awsConfig && account.singletons.awsConfig !== "external" && !accountStack.configDeliveryOutput && !account.configDelivery
          ? "AWS Config is on (account.guardrails.awsConfig, not external) but 'accountStack.configDeliveryOutput' is unset: the account stack (TapStack) must run AWS Config of its own"
          : undefined;
    if (problem) throw new Error(`${this.node.path}: ${problem}`);
  }

  /**
   * AWS Config's recording here: the delivery bucket named by the account stack's output, read
   * from its state with the same backend settings (cdktf's own cross-stack mechanism, made
   * explicit: a documented output instead of a generated one, and no preparing pass over this
   * stack); the service-linked role by its fixed ARN, created or adopted by the account stack.
   * Both exist once the account stack is applied, so nothing here waits on them.
   */
  private recordingFrom(accountStack: IAccountStack, source: ConfigDeliveryOutput, account: { accountId: string; partition: string }) {
    const state = accountStack.stateBackend.getRemoteStateDataSource(this, ACCOUNT_STACK_STATE_ID, accountStack.node.id);
    return { role: this.serviceLinkedRole(account), delivery: { bucketName: state.getString(source.bucketOutput), keyPrefix: source.keyPrefix }, includeGlobalResourceTypes: false };
  }

  /** AWS Config's service-linked role, by its fixed ARN: the account stack creates or adopts it. */
  private serviceLinkedRole(account: { accountId: string; partition: string }) {
    return { configRoleArn: configServiceLinkedRoleArn(account.partition, account.accountId), configRoleReady: [] };
  }
}
