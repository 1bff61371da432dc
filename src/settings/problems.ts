/**
 * How settings report what is wrong with them: every problem is collected with the place it was
 * given (a file and its JSON path, or an environment variable), and reported once, all together,
 * before any construct exists. Concerns push their problems here; the loader throws them at the end.
 */
import { formatJsonPath, SchemaIssue } from "./schema";

/** A setting's value and where it came from, as messages name it. */
export interface Setting<T = unknown> {
  readonly value: T;
  /** `tap.config.json $.regions`, `tap.config.json $.fleet.accounts[1].regions` or `TAP_REGIONS`. */
  readonly origin: string;
  /** For records merged by key across layers: where each entry came from. */
  readonly entryOrigins?: Readonly<Record<string, string>>;
}

/**
 * One stack's settings after its layers (defaults, file, variables, a fleet account) are merged:
 * what a concern reads to resolve and check its part. Keys are the stack settings' names.
 */
export interface StackSettingsView {
  /** The setting as given, or undefined when it was not given or was refused (already reported). */
  given<T = unknown>(key: string): Setting<T> | undefined;
  /** The value as given, else `fallback`. */
  valueOf<T>(key: string, fallback: T): T;
  /** Whether some layer gives the setting, even one a later layer's refused value overrides. */
  isSet(key: string): boolean;
  /** Whether the setting was given but refused by its schema. */
  refused(key: string): boolean;
  /** Where a message about the setting points: where it was given, else where it would be set. */
  where(key: string): string;
}

/** Every problem and warning found while loading, in the order found. */
export class Problems {
  public readonly errors: string[] = [];
  public readonly warnings: string[] = [];

  /** A problem that stops the load. */
  error(message: string): void {
    this.errors.push(message);
  }

  /** A setting that has no effect: reported, not refused. */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The schema's issues with a value given at `origin`. */
  report(issues: readonly SchemaIssue[], origin: string): void {
    for (const issue of issues) this.errors.push(describeIssue(issue, origin));
  }
}

/** `TAP_REGIONS: "mars-1" is not a supported region; ...` or `tap.config.json $.regions[1]: ...` */
export function describeIssue(issue: SchemaIssue, origin: string): string {
  const isFile = !/^[A-Z_]+$/.test(origin);
  // A variable holding an object names the entry: TAP_TAGS["Owner"]. List positions need no index: the value is quoted.
  const entry = issue.path.filter((part): part is string => typeof part === "string" && !issue.unknownKey);
  const where = isFile ? `${origin} ${formatJsonPath(issue.path)}` : `${origin}${entry.map((key) => `[${JSON.stringify(key)}]`).join("")}`;
  return issue.value === undefined ? `${where}: ${issue.problem}` : `${where}: ${JSON.stringify(issue.value)} ${issue.problem}`;
}

/** Where one entry of a record setting came from: `tap.config.json $.singletons.trail`, or `TAP_SINGLETONS (trail)`. */
export function entryWhere(setting: Setting | undefined, key: string, fallback = ""): string {
  const origin = setting?.entryOrigins?.[key] ?? setting?.origin ?? fallback;
  return origin.includes(" $") ? `${origin}${formatJsonPath([key]).slice(1)}` : `${origin} (${key})`;
}

/** `it` or `them`, for a message about one or more values. */
export function itOrThem(count: number): string {
  return count === 1 ? "it" : "them";
}

/**
 * A setting whose value makes a rule of the pack fail: such a value needs an accepted risk
 * naming the rule, checked with the settings so the message names the setting, not a resource.
 */
export interface RiskyValue {
  readonly setting: string;
  readonly ruleId: string;
  readonly risky: (value: any) => boolean;
  readonly why: (value: any) => string;
  /** Only where the setting takes effect (guardrails: in the deployment that owns the account's settings). */
  readonly ownerOnly?: boolean;
}

/** The configuration file read when TAP_CONFIG names none; messages point users at it. */
export const DEFAULT_CONFIG_FILE = "tap.config.json";
