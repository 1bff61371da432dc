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

/**
 * Bucket names are global across all AWS accounts, so the account ID keeps them unique.
 * `accountId` may be an unresolved token; configuration validation calls this with a
 * 12-digit stand-in to check the length.
 */
export function dataBucketName(scope: NameScope & { region: string }, accountId: string): string {
  return `${resourceName(scope, "data")}-${accountId}`;
}

const BUCKET_NAME_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * Why `name` is not a valid general-purpose S3 bucket name, or undefined if it is.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `${name.length} characters; S3 allows 3 to 63`;
  if (!BUCKET_NAME_CHARS.test(name)) {
    return "S3 allows lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";
  }
  if (name.includes("..")) return "S3 does not allow two adjacent dots";
  if (IP_ADDRESS.test(name)) return "S3 does not allow names formatted as IP addresses";
  if (name.startsWith("xn--") || name.startsWith("sthree-")) return "S3 reserves the prefixes xn-- and sthree-";
  if (name.endsWith("-s3alias") || name.endsWith("--ol-s3") || name.endsWith(".mrap")) {
    return "S3 reserves the suffixes -s3alias, --ol-s3 and .mrap";
  }
  return undefined;
}
