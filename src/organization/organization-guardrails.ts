import { Construct } from "constructs";
import { Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { MIN_REASON_LENGTH } from "../compliance/rule";
import {
  GUARDRAIL_POLICY_IDS,
  guardrailDocuments,
  GuardrailPolicyId,
  GuardrailPolicyParams,
  SCP_LIMITS,
  ScpDocument,
} from "./organization-facts";

export interface OrganizationGuardrailsProps extends GuardrailPolicyParams {
  /** Provider of the organization's management account (SCPs are created there, in any Region). */
  readonly provider: AwsProvider;
  /** Where the policies are attached: the root's id (`r-...`) and/or organizational unit ids (`ou-...`). May be tokens. */
  readonly targets: readonly string[];
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
 * synth refuses a set that would not fit AWS's five SCPs per target. SCPs never apply to the
 * management account itself.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export class OrganizationGuardrails extends Construct {
  /** The SCP documents, as AWS holds them. */
  public readonly documents: readonly ScpDocument[];
  /** The SCPs' ids. */
  public readonly policyIds: readonly string[];

  constructor(scope: Construct, id: string, props: OrganizationGuardrailsProps) {
    super(scope, id);
    const disabled = this.validate(props);
    this.documents = guardrailDocuments(props, disabled);
    const others = props.otherPoliciesPerTarget ?? SCP_LIMITS.attachedByAws.length;
    if (others + this.documents.length > SCP_LIMITS.maxPoliciesPerTarget) {
      throw new Error(
        `${this.node.path}: the guardrails need ${this.documents.length} SCPs beside ${others} already attached to each target, more than the ${SCP_LIMITS.maxPoliciesPerTarget} AWS allows; detach one, or accept the risk of a guardrail in 'acceptedRisks'`,
      );
    }
    const policies = this.documents.map(
      (document, index) =>
        new OrganizationsPolicy(this, `policy-${index + 1}`, {
          provider: props.provider,
          name: `${props.project}-guardrails-${index + 1}`,
          description: `tap guardrails: ${document.Statement.map((statement) => statement.Sid).join(", ")}`.slice(0, 512),
          type: "SERVICE_CONTROL_POLICY",
          content: JSON.stringify(document),
          tags: { Name: `${props.project}-guardrails-${index + 1}` },
        }),
    );
    props.targets.forEach((target, targetIndex) => {
      policies.forEach((policy, index) => {
        new OrganizationsPolicyAttachment(this, `attachment-${targetIndex + 1}-${index + 1}`, { provider: props.provider, policyId: policy.id, targetId: target });
      });
    });
    this.policyIds = policies.map((policy) => policy.id);
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
    const disabled = new Set<GuardrailPolicyId>();
    for (const [policy, reason] of Object.entries(props.acceptedRisks ?? {})) {
      if (!(GUARDRAIL_POLICY_IDS as readonly string[]).includes(policy)) problems.push(`'acceptedRisks' "${policy}" is not a guardrail; expected one of ${GUARDRAIL_POLICY_IDS.join(", ")}`);
      else if ((reason ?? "").trim().length < MIN_REASON_LENGTH) problems.push(`'acceptedRisks' ${policy} needs a reason of at least ${MIN_REASON_LENGTH} characters`);
      else disabled.add(policy as GuardrailPolicyId);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    return disabled;
  }
}

