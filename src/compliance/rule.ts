/**
 * The shape of a compliance rule: a pure function from one synthesized resource (and the
 * stack around it, for the resources it references) to an outcome.
 */

/**
 * A resource, data source, provider or the backend block of the synthesized stack, or the stack
 * itself (for controls that must exist once per account: `appliesTo: ["stack"]`). A provider
 * stands for its region (`appliesTo: ["provider.aws"]`, for controls every region needs).
 */
export interface StackElement {
  readonly kind: "resource" | "data" | "backend" | "provider" | "stack";
  /** Terraform type (`aws_s3_bucket`), `s3` etc. for a backend, `aws` for a provider, `stack` for the stack. */
  readonly type: string;
  /** Logical id. */
  readonly name: string;
  /** Terraform address (`aws_s3_bucket.x`, `data.aws_iam_policy_document.y`, `terraform.backend.s3`). */
  readonly address: string;
  /** Construct path, used for reports and suppressions. */
  readonly path: string;
  /** The block as synthesized (snake_case keys, references as `${...}` strings). */
  readonly body: Record<string, any>;
}

export type Outcome =
  | { readonly status: "pass" }
  | { readonly status: "fail"; readonly detail: string }
  /** The value is only known at apply time (a reference): reported as a warning, never a silent pass. */
  | { readonly status: "unknown"; readonly detail: string };

export const PASS: Outcome = { status: "pass" };

/** The shortest reason that may switch a control off (an accepted risk, a suppression): it must say something. */
export const MIN_REASON_LENGTH = 10;
export const fail = (detail: string): Outcome => ({ status: "fail", detail });
export const unknown = (detail: string): Outcome => ({ status: "unknown", detail });

/** What the rules may ask of the stack beyond the element under check. */
export interface StackView {
  /** Elements of one type; data sources as `data.<type>`, backends as `backend.<type>`. */
  ofType(type: string): readonly StackElement[];
  /** Elements of `type` whose `attribute` references `target` (`${<target address>.<any attribute>}`). */
  referencing(type: string, attribute: string, target: StackElement): readonly StackElement[];
  /** The element a `${address.attribute}` reference points at, if it is in the stack. */
  referencedElement(value: unknown): StackElement | undefined;
  /** Policy statements of an inline JSON policy or a policy-document data source reference. */
  policyStatements(value: unknown): readonly PolicyStatement[] | undefined;
  /** Resources bound to a provider element (its region); for a provider without an alias, those naming no provider. */
  resourcesOf(provider: StackElement): readonly StackElement[];
  /** The provider element a resource or data source is bound to. */
  providerOf(element: StackElement): StackElement | undefined;
  /** Tags a resource ends up with: its provider's default_tags merged with its own tags. */
  effectiveTags(element: StackElement): Readonly<Record<string, string>>;
  /** Whether the resource type supports tags (known from the provider bindings). */
  isTaggable(type: string): boolean;
}

/** An IAM statement, normalized to the policy-document data source's shape. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals: readonly { type: string; identifiers: readonly string[] }[];
  readonly conditions: readonly { test: string; variable: string; values: readonly string[] }[];
}

export interface Rule {
  /** Stable id used in reports and suppressions, `<Service>.<Control>`. */
  readonly id: string;
  /** Types the rule checks (`aws_s3_bucket`, `data.aws_iam_policy_document`, `backend.s3`, `provider.aws`, `stack`). */
  readonly appliesTo: readonly string[];
  /** What is wrong when the rule fails, in one line. */
  readonly info: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix it. */
  readonly fix: string;
  /** CIS AWS Foundations Benchmark item (v3.0.0 unless stated), where one exists. */
  readonly cis?: string;
  /** Checkov check id(s), where one exists. */
  readonly checkov?: string;
  /**
   * The Security Hub AWS Foundational Security Best Practices controls the rule enforces (ids such
   * as `S3.5`), only where it checks what the control checks; `[]` when it enforces none, so a lost
   * mapping shows. Each id is catalogued in src/compliance/fsbp-controls.ts.
   */
  readonly fsbp: readonly string[];
  readonly check: (element: StackElement, stack: StackView) => Outcome;
}

/** Whether an IAM action pattern (wildcards `*` and `?`, case-insensitive) allows `action`. */
export function actionAllows(pattern: string, action: string): boolean {
  const literal = pattern.replace(/[.+^$(){}|[\]\\]/g, "\\$&");
  return new RegExp(`^${literal.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action);
}

/** True for a value Terraform only knows at apply time (an interpolation). */
export function isReference(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

/** A nested block: cdktf synthesizes it as an object, HCL (and plans) as a one-element list. */
export function firstBlock(value: unknown): any {
  return Array.isArray(value) ? value[0] : value;
}

/** A value that may be absent, one item or a list, as a list. */
export function listOf(value: unknown): any[] {
  return value === undefined || value === null ? [] : [value].flat();
}

/**
 * Whether `key` (the value of `attribute`) names a customer-managed KMS key: passes for a key of
 * this stack, fails for the AWS-managed key or anything else of this stack, and cannot tell
 * for a reference to something outside the stack.
 */
export function customerManagedKey(stack: StackView, key: unknown, attribute: string, awsManagedAlias?: string): Outcome {
  if (key === undefined || key === null || key === "") return fail(`${attribute} is not set`);
  if (awsManagedAlias !== undefined && key === awsManagedAlias) return fail(`no customer-managed key: the AWS-managed ${awsManagedAlias.replace(/^alias\//, "")} key is used`);
  const referenced = stack.referencedElement(key);
  if (referenced?.type === "terraform_remote_state") return unknown(`${attribute} is another stack's output (terraform_remote_state): that stack's rules judge its key`);
  if (referenced) return referenced.type === "aws_kms_key" ? PASS : fail(`${attribute} refers to a ${referenced.type}`);
  return isReference(key) ? unknown(`${attribute} refers to something outside this stack`) : PASS;
}
