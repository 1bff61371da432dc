/**
 * How many characters AWS counts for a policy document: its JSON as the provider renders it
 * (one value as a string, several as a list, conditions grouped by operator), without white
 * space, with every reference at the longest value it can take.
 */
import { REFERENCE_WORST_CASE_LENGTHS } from "../aws/limits";
import { fail, Outcome, PASS, PolicyStatement, Rule, unknown } from "./rule";

const REFERENCE = /\$\{([^}]+)\}/g;

const oneOrMany = (values: readonly string[]) => (values.length === 1 ? values[0] : [...values]);

function rendered(statement: PolicyStatement): Record<string, unknown> {
  const principal =
    statement.principals.length === 0
      ? undefined
      : statement.principals.some((p) => p.type === "*")
        ? "*"
        : Object.fromEntries(statement.principals.map((p) => [p.type, oneOrMany(p.identifiers)]));
  const condition: Record<string, Record<string, unknown>> = {};
  for (const c of statement.conditions) (condition[c.test] ??= {})[c.variable] = oneOrMany(c.values);
  return {
    ...(statement.sid ? { Sid: statement.sid } : {}),
    Effect: statement.effect,
    ...(statement.actions.length ? { Action: oneOrMany(statement.actions) } : {}),
    ...(statement.resources.length ? { Resource: oneOrMany(statement.resources) } : {}),
    ...(principal ? { Principal: principal } : {}),
    ...(statement.conditions.length ? { Condition: condition } : {}),
  };
}

/** `${data.aws_partition.partition.partition}` -> `data.aws_partition.partition`. */
function referenceKey(expression: string): string {
  const parts = expression.split(".");
  return parts[0] === "data" ? `data.${parts[1]}.${parts[3]}` : `${parts[0]}.${parts[2]}`;
}

/** The worst-case size of the statements, and the references whose length cannot be bounded. */
export function worstCasePolicySize(statements: readonly PolicyStatement[]): { size: number; unbounded: string[] } {
  const json = JSON.stringify({ Version: "2012-10-17", Statement: statements.map(rendered) });
  const unbounded: string[] = [];
  const size = json.replace(REFERENCE, (_match, expression: string) => {
    const length = REFERENCE_WORST_CASE_LENGTHS[referenceKey(expression)];
    if (length === undefined) {
      unbounded.push(`\${${expression}}`);
      return "";
    }
    return "x".repeat(length);
  }).length;
  return { size, unbounded };
}

/** Passes when `statements` (one or more documents together) fit `limit` even at their worst case. */
export function policySizeOutcome(documents: readonly (readonly PolicyStatement[])[], limit: number, what: string): Outcome {
  let total = 0;
  const unbounded: string[] = [];
  for (const statements of documents) {
    const measured = worstCasePolicySize(statements);
    total += measured.size;
    unbounded.push(...measured.unbounded);
  }
  if (total > limit) return fail(`${what} can reach ${total.toLocaleString("en-US")} characters, over AWS's ${limit.toLocaleString("en-US")}`);
  if (unbounded.length > 0) return unknown(`${what} holds references whose length tap cannot bound (${[...new Set(unbounded)].join(", ")}); add them to REFERENCE_WORST_CASE_LENGTHS`);
  return PASS;
}

/** A rule's check that the one policy in `attribute` of the element fits `limit` (`what` names it in messages). */
export function policyAttributeFits(attribute: string, limit: number, what: string): Rule["check"] {
  return (element, stack) => {
    const statements = stack.policyStatements(element.body[attribute]);
    if (!statements) return unknown(`${what} cannot be read before apply`);
    return policySizeOutcome([statements], limit, what);
  };
}
