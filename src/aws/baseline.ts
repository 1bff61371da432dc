/**
 * The numbers tap's baseline holds itself to. Constructs use them as defaults and the rule
 * pack as thresholds, so the two can never drift apart. CIS items are from the CIS AWS
 * Foundations Benchmark v3.0.0 unless marked otherwise.
 */
export const BASELINE = {
  /** tap's floor for every log group: investigations and audits usually need a year. */
  logRetentionDays: 365,
  /** The longest window KMS allows, so a scheduled deletion can be cancelled for a month. */
  kmsDeletionWindowDays: 30,
} as const;
