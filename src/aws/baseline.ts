/**
 * The numbers tap's baseline holds itself to. Constructs use them as defaults and the rule
 * pack as thresholds, so the two can never drift apart. CIS items are from the CIS AWS
 * Foundations Benchmark v3.0.0 unless marked otherwise.
 */
export const BASELINE = {
  /** CIS 1.8. */
  passwordMinimumLength: 14,
  /** CIS v1.2.0 1.11 (v3.0.0 dropped the item; most auditors still ask for it). */
  passwordMaxAgeDays: 90,
  /** CIS 1.9. */
  passwordReusePrevention: 24,
  /** tap's floor for every log group: investigations and audits usually need a year. */
  logRetentionDays: 365,
  /** The longest window KMS allows, so a scheduled deletion can be cancelled for a month. */
  kmsDeletionWindowDays: 30,
} as const;

/**
 * Remote administration (SSH, RDP) sources: none wider than /8, and together at most one /8
 * of public address space. Private ranges (RFC 1918) do not count. This refuses `0.0.0.0/0`
 * and the same exposure written in pieces (`0.0.0.0/1,128.0.0.0/1`).
 */
export const ADMIN_SOURCE_LIMITS = { minPrefixLength: 8, maxPublicAddresses: 2 ** 24 } as const;
