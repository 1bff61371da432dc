/**
 * Drift: what changed in the account outside Terraform since the last apply, read from a
 * refresh-only plan (`terraform show -json` of `terraform plan -refresh-only`) and named by the
 * control each changed attribute carries. Plain data in, plain data out: the drift command and
 * the apply tier's proof run the plan, this says what it means.
 */

/** An attribute (or a whole resource type) that carries a control: the rule that judges it. */
export interface DriftControl {
  /** Terraform resource type; `*` for an attribute every resource has (tags). */
  readonly type: string;
  /** Top-level attributes whose change switches the control off or weakens it. */
  readonly attributes: readonly string[];
  /** Id of the rule of the pack that judges the control (its text and CIS item name the drift). */
  readonly rule: string;
}

/** One change outside Terraform, per attribute path. */
export interface DriftFinding {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  /** The rule whose control changed; undefined for an attribute no control lists (still drift). */
  readonly rule?: string;
  /** "deleted": the resource is gone; "changed": `attribute` has another value. */
  readonly change: "deleted" | "changed";
  readonly attribute?: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** What a refresh-only plan's JSON holds of drift, and of the configuration (which attributes it sets). */
export interface RefreshOnlyPlan {
  readonly configuration?: { readonly root_module?: { readonly resources?: readonly { readonly address: string; readonly expressions?: Record<string, unknown> }[] } };
  readonly resource_drift?: readonly {
    readonly address: string;
    readonly mode: string;
    readonly type: string;
    readonly change: { readonly actions: readonly string[]; readonly before?: unknown; readonly after?: unknown };
  }[];
}

/** The attribute paths where two values differ (`a.b[0].c`), with both values. */
export function differences(before: unknown, after: unknown, path = ""): { path: string; before: unknown; after: unknown }[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => differences(item, after[index], `${path}[${index}]`));
  }
  if (isObject(before) && isObject(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((key) => differences(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return [{ path: path || "(whole value)", before, after }];
}

/** The top-level attribute of a path (`rule[0].status` -> `rule`). */
function topAttribute(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/** A value a provider fills in on its first read where state held nothing: no one changed it. */
function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

export interface DriftOptions {
  /** Rewrites a resource's values before they are compared (the apply tier's named emulator deviations). */
  readonly normalize?: (type: string, values: any) => any;
}

/**
 * Every change outside Terraform in `plan`, each named by its control. Counted are the attributes
 * the configuration sets, those a control watches, and tags; not the computed attributes another
 * resource fills in (a bucket's `policy` from its aws_s3_bucket_policy), and not a value read for
 * the first time where state held nothing (null becoming [], {}, 0 or false). `tags_all` changes
 * are left out where `tags` changed too (the same edit, seen twice); a deleted resource is one finding.
 */
export function driftFindings(stack: string, plan: RefreshOnlyPlan, controls: readonly DriftControl[], options: DriftOptions = {}): DriftFinding[] {
  const configured = new Map((plan.configuration?.root_module?.resources ?? []).map((resource) => [resource.address, new Set(Object.keys(resource.expressions ?? {}))]));
  const normalize = options.normalize ?? ((_type: string, values: unknown) => values);
  const findings: DriftFinding[] = [];
  for (const drift of plan.resource_drift ?? []) {
    if (drift.mode !== "managed") continue;
    const own = controls.filter((control) => control.type === drift.type);
    const ofType = [...own, ...controls.filter((control) => control.type === "*")];
    const { actions, before, after } = drift.change;
    if (actions.includes("delete") || after === null || after === undefined) {
      findings.push({ stack, address: drift.address, type: drift.type, rule: own[0]?.rule, change: "deleted" });
      continue;
    }
    const watched = new Set([...(configured.get(drift.address.replace(/\[[^\]]*\]$/, "")) ?? []), ...ofType.flatMap((control) => control.attributes)]);
    const changed = differences(normalize(drift.type, before), normalize(drift.type, after)).filter(
      (difference) => watched.has(topAttribute(difference.path)) && !(isEmptyValue(difference.before) && isEmptyValue(difference.after)) && !(difference.before == null && isEmptyValue(difference.after)),
    );
    const tagsChanged = changed.some((d) => topAttribute(d.path) === "tags");
    for (const difference of changed) {
      const attribute = topAttribute(difference.path);
      if (attribute === "tags_all" && tagsChanged) continue;
      const rule = ofType.find((control) => control.attributes.includes(attribute))?.rule;
      findings.push({ stack, address: drift.address, type: drift.type, rule, change: "changed", attribute: difference.path, before: difference.before, after: difference.after });
    }
  }
  return findings;
}

/** One line per finding, with the rule's text and CIS item when `describeRule` knows the rule. */
export function describeDrift(findings: readonly DriftFinding[], describeRule: (id: string) => string | undefined = () => undefined): string[] {
  return findings.map((finding) => {
    const control = finding.rule ? `${finding.rule}${describeRule(finding.rule) ? ` (${describeRule(finding.rule)})` : ""}` : "no listed control";
    const what = finding.change === "deleted" ? "deleted outside Terraform" : `${finding.attribute}: ${JSON.stringify(finding.before)} -> ${JSON.stringify(finding.after)}`;
    return `  ${finding.stack}: ${finding.address} ${what} [${control}]`;
  });
}
