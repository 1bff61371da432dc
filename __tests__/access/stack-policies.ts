/**
 * The policies of a synthesized stack as AWS would hold them after apply: every policy document
 * rendered to IAM JSON, every reference in it replaced by the value AWS would give it, for one
 * account (`ACCOUNT`) in the `aws` partition. The service-access proofs evaluate these.
 * A reference this renderer does not know is an error, never a guess.
 */
import type { SynthJson } from "../helpers";

export const ACCOUNT = "123456789012";
export const OTHER_ACCOUNT = "999999999999";
export const PARTITION = "aws";

export interface IamPolicy {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
}

/** A resource of the stack, found by the end of its construct path. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly path: string;
  readonly region: string;
  readonly body: Record<string, any>;
}

export class StackPolicies {
  constructor(private readonly json: SynthJson) {}

  /** The one resource of `type` whose construct path ends with `pathSuffix`. */
  resource(type: string, pathSuffix: string): StackResource {
    const found = Object.entries(this.json.resource?.[type] ?? {}).filter(([, body]) => String(body["//"].metadata.path).endsWith(pathSuffix));
    if (found.length !== 1) throw new Error(`expected one ${type} at *${pathSuffix}, found ${found.length}`);
    const [name, body] = found[0];
    return { type, name, path: body["//"].metadata.path, region: regionOf(body), body };
  }

  /** Every resource of `type`. */
  resources(type: string): StackResource[] {
    return Object.entries(this.json.resource?.[type] ?? {}).map(([name, body]) => ({ type, name, path: body["//"].metadata.path, region: regionOf(body), body }));
  }

  /** The ARN AWS gives a resource. */
  arn(resource: StackResource): string {
    return this.resolve(`\${${resource.type}.${resource.name}.arn}`);
  }

  /** A bucket's policy (its aws_s3_bucket_policy). */
  bucketPolicy(bucket: StackResource): IamPolicy {
    const policy = this.resources("aws_s3_bucket_policy").find((p) => this.resolve(p.body.bucket) === this.resolve(bucket.body.bucket));
    if (!policy) throw new Error(`no aws_s3_bucket_policy for ${bucket.path}`);
    return this.document(policy.body.policy);
  }

  /** A key's key policy. */
  keyPolicy(key: StackResource): IamPolicy {
    return this.document(key.body.policy);
  }

  /** A topic's access policy (its aws_sns_topic_policy). */
  topicPolicy(topic: StackResource): IamPolicy {
    const policy = this.resources("aws_sns_topic_policy").find((p) => p.body.arn === `\${aws_sns_topic.${topic.name}.arn}`);
    if (!policy) throw new Error(`no aws_sns_topic_policy for ${topic.path}`);
    return this.document(policy.body.policy);
  }

  /** A role's trust policy. */
  trustPolicy(role: StackResource): IamPolicy {
    return this.document(role.body.assume_role_policy);
  }

  /** A role's inline policies, by name. */
  inlinePolicies(role: StackResource): { name: string; policy: IamPolicy }[] {
    const refs = [`\${aws_iam_role.${role.name}.id}`, `\${aws_iam_role.${role.name}.name}`];
    return this.resources("aws_iam_role_policy")
      .filter((p) => refs.includes(p.body.role))
      .map((p) => ({ name: p.body.name, policy: this.document(p.body.policy) }));
  }

  /** The AWS managed policies attached to a role (their ARNs). */
  managedPolicies(role: StackResource): string[] {
    const refs = [`\${aws_iam_role.${role.name}.id}`, `\${aws_iam_role.${role.name}.name}`];
    return this.resources("aws_iam_role_policy_attachment")
      .filter((a) => refs.includes(a.body.role))
      .map((a) => this.resolve(a.body.policy_arn));
  }

  /** A policy attribute (a reference to an aws_iam_policy_document, or JSON) as IAM JSON. */
  document(value: unknown): IamPolicy {
    const match = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(value));
    if (match) {
      const body = this.json.data?.aws_iam_policy_document?.[match[1]];
      if (!body) throw new Error(`no data.aws_iam_policy_document.${match[1]}`);
      return { Version: "2012-10-17", Statement: (body.statement ?? []).map((s: any) => this.statement(s)) };
    }
    const parsed = JSON.parse(this.resolve(String(value)));
    return { Version: "2012-10-17", Statement: [parsed.Statement].flat() };
  }

  private statement(s: any): Record<string, unknown> {
    const values = (list: unknown) => [list ?? []].flat().map((v) => this.resolve(String(v)));
    const principals = (blocks: any[] | undefined) => {
      if (!blocks || blocks.length === 0) return undefined;
      if (blocks.some((p) => p.type === "*")) return "*";
      const byType: Record<string, string[]> = {};
      for (const p of blocks) byType[p.type] = [...(byType[p.type] ?? []), ...values(p.identifiers)];
      return byType;
    };
    const conditions = (s.condition ?? []).reduce((all: Record<string, Record<string, string[]>>, c: any) => {
      all[c.test] = { ...(all[c.test] ?? {}), [this.resolve(c.variable)]: values(c.values) };
      return all;
    }, {});
    const statement: Record<string, unknown> = {
      Sid: s.sid,
      Effect: s.effect ?? "Allow",
      Principal: principals(s.principals),
      NotPrincipal: principals(s.not_principals),
      Action: s.actions ? values(s.actions) : undefined,
      NotAction: s.not_actions ? values(s.not_actions) : undefined,
      Resource: s.resources ? values(s.resources) : undefined,
      NotResource: s.not_resources ? values(s.not_resources) : undefined,
      Condition: Object.keys(conditions).length > 0 ? conditions : undefined,
    };
    return Object.fromEntries(Object.entries(statement).filter(([, v]) => v !== undefined));
  }

  /** Replaces every `${...}` reference in `text` by the value AWS would give it. */
  resolve(text: string): string {
    return text.replace(/\$\{([^}]+)\}/g, (_whole, reference: string) => this.value(reference));
  }

  private value(reference: string): string {
    if (reference === "data.aws_caller_identity.caller_identity.account_id") return ACCOUNT;
    if (reference === "data.aws_partition.partition.partition") return PARTITION;
    const [type, name, ...rest] = reference.split(".");
    const attribute = rest.join(".");
    const body = this.json.resource?.[type]?.[name];
    if (!body) throw new Error(`cannot resolve \${${reference}}: no such resource`);
    const region = regionOf(body);
    const own = (key: string) => this.resolve(String(body[key]));
    const known: Record<string, Record<string, () => string>> = {
      aws_s3_bucket: { arn: () => `arn:${PARTITION}:s3:::${own("bucket")}`, id: () => own("bucket"), bucket: () => own("bucket") },
      aws_kms_key: { arn: () => `arn:${PARTITION}:kms:${region}:${ACCOUNT}:key/${name}`, key_id: () => name, id: () => name },
      aws_sns_topic: { arn: () => `arn:${PARTITION}:sns:${region}:${ACCOUNT}:${own("name")}`, id: () => `arn:${PARTITION}:sns:${region}:${ACCOUNT}:${own("name")}` },
      aws_cloudwatch_log_group: { arn: () => `arn:${PARTITION}:logs:${region}:${ACCOUNT}:log-group:${own("name")}`, name: () => own("name") },
      aws_iam_role: { arn: () => `arn:${PARTITION}:iam::${ACCOUNT}:role/${own("name")}`, name: () => own("name"), id: () => own("name") },
      aws_cloudtrail: { arn: () => `arn:${PARTITION}:cloudtrail:${region}:${ACCOUNT}:trail/${own("name")}` },
      aws_iam_service_linked_role: { arn: () => `arn:${PARTITION}:iam::${ACCOUNT}:role/aws-service-role/${own("aws_service_name")}/AWSServiceRoleFor${serviceRoleSuffix(own("aws_service_name"))}` },
      aws_cloudwatch_metric_alarm: { arn: () => `arn:${PARTITION}:cloudwatch:${region}:${ACCOUNT}:alarm:${own("alarm_name")}` },
      aws_cloudwatch_event_rule: { arn: () => `arn:${PARTITION}:events:${region}:${ACCOUNT}:rule/${own("name")}`, name: () => own("name") },
    };
    const resolve = known[type]?.[attribute];
    if (!resolve) throw new Error(`cannot resolve \${${reference}}: attribute ${attribute} of ${type} is not known to the renderer`);
    return resolve();
  }
}

function regionOf(body: Record<string, any>): string {
  return String(body.provider ?? "").replace(/^aws\./, "");
}

/** AWS's name part of a service-linked role: AWSServiceRoleFor<this>. */
function serviceRoleSuffix(service: string): string {
  const known: Record<string, string> = { "config.amazonaws.com": "Config" };
  if (!known[service]) throw new Error(`the service-linked role name of ${service} is not known to the renderer`);
  return known[service];
}
