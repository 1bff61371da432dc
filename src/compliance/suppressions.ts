import { IConstruct } from "constructs";
import { MIN_REASON_LENGTH } from "./rule";

/** A rule switched off for one construct (and what it contains), with the reason why. */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Construct path the suppression was declared on. */
  readonly path: string;
}

const SUPPRESSION_METADATA = "tap:compliance-suppression";

/**
 * Suppresses a compliance rule on one construct and its children. A reason is required
 * and every suppression is printed by synth and the audit report, so none stays hidden.
 */
export function suppressRule(construct: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`${construct.node.path}: suppressing ${ruleId} needs a written reason (${MIN_REASON_LENGTH}+ characters). Received: "${reason}"`);
  }
  construct.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason });
}

/** Every suppression declared in the tree below `root`. */
export function collectSuppressions(root: IConstruct): Suppression[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === SUPPRESSION_METADATA)
      .map((entry) => ({ ...(entry.data as { ruleId: string; reason: string }), path: construct.node.path })),
  );
}
