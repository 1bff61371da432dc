/**
 * The one naming convention of tap: `<project>-<environment>[-<region>]-<component>`.
 * Every `Name` tag and every AWS-visible name comes from here.
 */
export interface NameScope {
  readonly project: string;
  readonly environment: string;
  /** Omitted for account-wide (global) resources. */
  readonly region?: string;
}

/** Tags tap sets itself; user tags may not use these keys. */
export const RESERVED_TAG_KEYS = ["Environment", "Project", "ManagedBy", "Name"] as const;
export const MANAGED_BY = "cdktf";

export function resourceName(scope: NameScope, component: string): string {
  return [scope.project, scope.environment, scope.region, component].filter(Boolean).join("-");
}

/** The `tags` argument for a resource: just its Name; the common tags come from the provider's default_tags. */
export function nameTag(scope: NameScope, component: string): { Name: string } {
  return { Name: resourceName(scope, component) };
}
