import { Construct } from "constructs";
import { Fn, ITerraformDependable, Op, Token } from "cdktf";
import { DataAwsOrganizationsPoliciesForTarget } from "@cdktf/provider-aws/lib/data-aws-organizations-policies-for-target";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { MIN_REASON_LENGTH } from "../compliance/rule";
import {
  EXEMPTING_GUARDRAILS,
  GUARDRAIL_POLICY_IDS,
  guardrailDocuments,
  GuardrailPolicyId,
  GuardrailPolicyParams,
  GuardrailPolicyType,
  MEMBER_NEUTRAL_ROLE_ARN,
  POLICY_LIMITS,
  SCP_LIMITS,
  ScpDocument,
} from "./organization-facts";

export interface OrganizationGuardrailsProps extends GuardrailPolicyParams {
  /** Provider of the organization's management account (SCPs are created there, in any Region). */
  readonly provider: AwsProvider;
  /** Where the policies are attached: the root's id (`r-...`) and/or organizational unit ids (`ou-...`). May be tokens. */
  readonly targets: readonly string[];
  /**
   * What the configuration calls each target (root, a unit's name), in the order of `targets`, for the limit check's message.
   * @default - the targets' ids
   */
  readonly targetNames?: readonly string[];
  /**
   * What the resource control policy's attachment to the log-archive account waits for: the
   * organization with RESOURCE_CONTROL_POLICY enabled.
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Guardrails left off, each with the reason the risk is accepted (at least 10 characters).
   * @default - every guardrail on
   */
  readonly acceptedRisks?: Readonly<Partial<Record<GuardrailPolicyId, string>>>;
  /**
   * SCPs already attached to every target besides these (AWS's FullAWSAccess, an organization's
   * own): AWS allows five per target, so tap's must fit beside them.
   * @default 1 (FullAWSAccess)
   */
  readonly otherPoliciesPerTarget?: number;
}

/**
 * Service control policies no member account can switch off, even its administrators: stay in
 * the organization, keep the security services running, no root user, only the configured
 * Regions, tap's roles and keys left alone. The guardrails' statements (organization-facts.ts)
 * are packed into as few SCPs as AWS's 5,120-character limit allows and attached to each target;
 * synth refuses a set that would not fit AWS's five SCPs per target, and each attachment checks
 * the policies already on its target. The log archive is guarded by a resource control policy on
 * the log-archive account. SCPs and RCPs never apply to the management account itself.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export class OrganizationGuardrails extends Construct {
  /** The SCP documents, as AWS holds them. */
  public readonly documents: readonly ScpDocument[];
  /** The SCPs' ids. */
  public readonly policyIds: readonly string[];
  /** The resource control policy documents (the log archive's), as AWS holds them; empty without `logArchive`. */
  public readonly resourceDocuments: readonly ScpDocument[];
  /** The RCPs' ids. */
  public readonly resourcePolicyIds: readonly string[];

  constructor(scope: Construct, id: string, props: OrganizationGuardrailsProps) {
    super(scope, id);
    const disabled = this.validate(props);
    this.documents = guardrailDocuments(props, disabled);
    this.resourceDocuments = guardrailDocuments(props, disabled, "RESOURCE_CONTROL_POLICY");
    const others = props.otherPoliciesPerTarget ?? SCP_LIMITS.attachedByAws.length;
    if (others + this.documents.length > SCP_LIMITS.maxPoliciesPerTarget) {
      throw new Error(
        `${this.node.path}: the guardrails need ${this.documents.length} SCPs beside ${others} already attached to each target, more than the ${SCP_LIMITS.maxPoliciesPerTarget} AWS allows; detach one, or accept the risk of a guardrail in 'acceptedRisks'`,
      );
    }
    const names = props.targetNames ?? props.targets;
    this.policyIds = this.attach(props, "SERVICE_CONTROL_POLICY", this.documents, props.targets.map((target, index) => ({ id: target, name: names[index] ?? target })));
    this.resourcePolicyIds = props.logArchive
      ? this.attach(props, "RESOURCE_CONTROL_POLICY", this.resourceDocuments, [{ id: props.logArchive.accountId, name: "the log-archive account" }], props.dependsOn)
      : [];
  }

  /**
   * The policies of one type, attached to each target. Each attachment first checks, against the
   * policies of that type the target already has (another tool's, Control Tower's, AWS's full
   * access), that tap's fit AWS's five a target. Where tap's policies exist (every plan after the
   * first) that is a plan-time check; on the first it runs before the attachment is made.
   */
  private attach(props: OrganizationGuardrailsProps, type: GuardrailPolicyType, documents: readonly ScpDocument[], targets: readonly { id: string; name: string }[], dependsOn?: ITerraformDependable[]): string[] {
    const short = type === "SERVICE_CONTROL_POLICY" ? "SCP" : "RCP";
    const suffix = type === "SERVICE_CONTROL_POLICY" ? "guardrails" : "resource-guardrails";
    const limit = POLICY_LIMITS[type].maxPoliciesPerTarget;
    const policies = documents.map(
      (document, index) =>
        new OrganizationsPolicy(this, type === "SERVICE_CONTROL_POLICY" ? `policy-${index + 1}` : `resource-policy-${index + 1}`, {
          provider: props.provider,
          name: `${props.project}-${suffix}-${index + 1}`,
          description: `tap guardrails: ${document.Statement.map((statement) => statement.Sid).join(", ")}`.slice(0, 512),
          type,
          content: JSON.stringify(document),
          tags: { Name: `${props.project}-${suffix}-${index + 1}` },
          dependsOn,
        }),
    );
    const ids = policies.map((policy) => policy.id);
    targets.forEach((target, targetIndex) => {
      const attached = new DataAwsOrganizationsPoliciesForTarget(this, `attached-${short.toLowerCase()}s-${targetIndex + 1}`, { provider: props.provider, targetId: target.id, filter: type, dependsOn });
      const others = Fn.lengthOf(Fn.setsubtract(attached.ids, ids));
      policies.forEach((policy, index) => {
        const attachmentId = type === "SERVICE_CONTROL_POLICY" ? `attachment-${targetIndex + 1}-${index + 1}` : `resource-attachment-${targetIndex + 1}-${index + 1}`;
        new OrganizationsPolicyAttachment(this, attachmentId, {
          provider: props.provider,
          policyId: policy.id,
          targetId: target.id,
          dependsOn,
          lifecycle: {
            precondition: [
              {
                condition: Op.lte(Op.add(others, policies.length), limit),
                errorMessage: `The guardrail target ${target.name} (${target.id}) already has ${Token.asString(others)} ${short}s attached besides tap's ${policies.length}, and AWS allows ${limit} ${short}s a target: detach one of the others, or accept the risk of a guardrail in organization.acceptRisks.`,
              },
            ],
          },
        });
      });
    });
    return ids;
  }

  /** Reports every problem with the props at once, naming each prop and value. */
  private validate(props: OrganizationGuardrailsProps): Set<GuardrailPolicyId> {
    const problems: string[] = [];
    if (props.targets.length === 0) problems.push("'targets' must name the root or at least one organizational unit");
    for (const target of props.targets) {
      if (!Token.isUnresolved(target) && !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(target)) {
        problems.push(`'targets' "${target}" is neither a root id (r-...) nor an organizational unit id (ou-...-...)`);
      }
    }
    if (props.allowedRegions.length === 0) problems.push("'allowedRegions' must hold at least one Region");
    if (props.deploymentRoleArns.length === 0) problems.push("'deploymentRoleArns' must name the role that deploys tap, or it would lock itself out");
    for (const arn of props.deploymentRoleArns) {
      if (!/^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/[\w+=,.@/*-]+$/.test(arn)) problems.push(`'deploymentRoleArns' "${arn}" is not an IAM role ARN pattern (arn:aws:iam::<account or *>:role/<name>)`);
    }
    if (props.breakGlassRoleArn !== undefined && !MEMBER_NEUTRAL_ROLE_ARN.test(props.breakGlassRoleArn)) {
      problems.push(`'breakGlassRoleArn' "${props.breakGlassRoleArn}" is not one role in whichever account it acts (arn:aws:iam::*:role/<name>)`);
    }
    if (props.logArchive) {
      if (!/^\d{12}$/.test(props.logArchive.accountId)) problems.push(`'logArchive.accountId' "${props.logArchive.accountId}" is not a 12-digit account id`);
      if (props.logArchive.buckets.length === 0) problems.push("'logArchive.buckets' must name the archive's bucket");
    }
    const disabled = new Set<GuardrailPolicyId>();
    for (const [policy, reason] of Object.entries(props.acceptedRisks ?? {})) {
      if (!(GUARDRAIL_POLICY_IDS as readonly string[]).includes(policy)) problems.push(`'acceptedRisks' "${policy}" is not a guardrail; expected one of ${GUARDRAIL_POLICY_IDS.join(", ")}`);
      else if ((reason ?? "").trim().length < MIN_REASON_LENGTH) problems.push(`'acceptedRisks' ${policy} needs a reason of at least ${MIN_REASON_LENGTH} characters`);
      else disabled.add(policy as GuardrailPolicyId);
    }
    if (disabled.has("ProtectExemptRoles")) {
      const exempting = EXEMPTING_GUARDRAILS.filter((policy) => !disabled.has(policy));
      if (exempting.length > 0) problems.push(`'acceptedRisks' ProtectExemptRoles cannot be off while ${exempting.join(", ")} exempt the deployment roles: whoever changes those roles walks around them`);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return disabled;
  }
}

