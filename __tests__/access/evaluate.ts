/**
 * Evaluates requests against the stack's policies with @cloud-copilot/iam-simulate, AWS's
 * policy evaluation logic as a library (explicit deny wins, resource and identity policies,
 * same- and cross-account, KMS key policies and trust policies with their own delegation rules).
 * It is AGPL-3.0: a development dependency used by these tests only, never shipped.
 */
import { anonymousPrincipal, runSimulation } from "@cloud-copilot/iam-simulate";
import type { DocumentedRequest, RequestPrincipal } from "../../src/app/service-access";
import { ACCOUNT, IamPolicy, PARTITION, StackPolicies, StackResource } from "./stack-policies";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** An identity policy that allows everything: the principal's own permissions are not what is tested. */
export const ALLOW_EVERYTHING: IamPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export interface ConcreteRequest {
  /** A service principal, an IAM ARN, or "anonymous". */
  readonly principal: string;
  readonly identityPolicies: readonly IamPolicy[];
  readonly action: string;
  readonly resourceArn: string;
  readonly resourcePolicy?: IamPolicy;
  readonly context: Readonly<Record<string, string>>;
}

/**
 * The simulator's one gap that matters here: iam-simulate 0.1.173 drops a request's
 * `kms:EncryptionContext:<key>` values as unknown (its match for keys with a variable part knows
 * only the `/` form, as in `aws:PrincipalTag/<key>`), so every condition on them would fail. The
 * proofs carry each such key under a stand-in of that form, in the policies and in the request
 * alike; condition operators compare values the same whatever the key is called. The real key
 * is checked against AWS's service reference by the condition-key test.
 */
const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;
const STAND_IN = "aws:RequestTag/kms-encryption-context:";
const standIn = (key: string) => key.replace(ENCRYPTION_CONTEXT, STAND_IN);

function withStandIns(policy: IamPolicy): IamPolicy {
  const statements = policy.Statement.map((statement) => {
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    if (!condition) return statement;
    const renamed = Object.fromEntries(Object.entries(condition).map(([operator, byKey]) => [operator, Object.fromEntries(Object.entries(byKey).map(([key, values]) => [standIn(key), values]))]));
    return { ...statement, Condition: renamed };
  });
  return { ...policy, Statement: statements };
}

/** AWS's decision on the request; a request the simulator cannot validate (an unknown action, resource or condition key) throws. */
export async function decide(request: ConcreteRequest): Promise<Decision> {
  const context = Object.fromEntries(Object.entries(request.context).map(([key, value]) => [standIn(key), value]));
  const result = await runSimulation(
    {
      request: {
        principal: request.principal === "anonymous" ? anonymousPrincipal : request.principal,
        action: request.action,
        resource: { resource: request.resourceArn, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: request.identityPolicies.map((policy, index) => ({ name: `identity-${index}`, policy: withStandIns(policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy ? withStandIns(request.resourcePolicy) : undefined,
    } as any,
    {},
  );
  if (result.resultType === "error") throw new Error(`the simulator refused ${request.action} on ${request.resourceArn}: ${JSON.stringify(result.errors)}`);
  // A context key the simulator ignores would make a condition fail (or pass) for the wrong reason.
  const ignored = result.resultType === "single" ? (result.result as any).ignoredContextKeys ?? [] : [];
  if (ignored.length > 0) throw new Error(`the simulator ignored context keys ${ignored.join(", ")} of ${request.action}: the proof would not test them`);
  return result.overallResult as Decision;
}

/** The policy a resource of the stack answers requests with: a bucket, key or topic policy, or a role's trust policy. */
export function resourcePolicyOf(policies: StackPolicies, resource: StackResource): IamPolicy | undefined {
  switch (resource.type) {
    case "aws_s3_bucket":
      return policies.bucketPolicy(resource);
    case "aws_kms_key":
      return policies.keyPolicy(resource);
    case "aws_sns_topic":
      return policies.topicPolicy(resource);
    case "aws_iam_role":
      return policies.trustPolicy(resource);
    default:
      return undefined;
  }
}

/** The values placeholders of a documented request take in one region (see src/app/service-access.ts). */
export interface Placeholders {
  readonly region: string;
  readonly home: string;
  readonly next?: string;
}

/** One action of a documented request made concrete for the stack: principal, resource and context resolved. */
export function concreteRequest(policies: StackPolicies, documented: DocumentedRequest, action: string, where: Placeholders): ConcreteRequest {
  // The simple placeholders first ({region} may stand inside an {arn:...}), then the stack's ARNs and bucket names.
  const expand = (text: string): string =>
    text
      .replace(/\{account\}/g, ACCOUNT)
      .replace(/\{partition\}/g, PARTITION)
      .replace(/\{region\}/g, where.region)
      .replace(/\{home\}/g, where.home)
      .replace(/\{next\}/g, where.next ?? "{next}")
      .replace(/\{arn:([\w]+):([^}]+)\}/g, (_whole, type: string, path: string) => policies.arn(policies.resource(type, path)))
      .replace(/\{bucket-name:([^}]+)\}/g, (_whole, path: string) => policies.resolve(String(policies.resource("aws_s3_bucket", path).body.bucket)));
  const target = policies.resource(documented.target.type, expand(documented.target.path));
  const principal = principalOf(policies, documented.principal, expand);
  return {
    principal: principal.arn,
    identityPolicies: principal.policies,
    action,
    resourceArn: policies.arn(target) + (documented.target.suffix ? expand(documented.target.suffix) : ""),
    resourcePolicy: resourcePolicyOf(policies, target),
    context: Object.fromEntries(Object.entries(documented.context).map(([key, value]) => [key, expand(value)])),
  };
}

function principalOf(policies: StackPolicies, principal: RequestPrincipal, expand: (text: string) => string): { arn: string; policies: IamPolicy[] } {
  if ("service" in principal) return { arn: expand(principal.service), policies: [] };
  if ("role" in principal) {
    const role = policies.resource("aws_iam_role", expand(principal.role));
    return { arn: policies.arn(role), policies: policies.inlinePolicies(role).map(({ policy }) => policy) };
  }
  return { arn: `arn:${PARTITION}:iam::${ACCOUNT}:user/operator`, policies: [ALLOW_EVERYTHING] };
}
