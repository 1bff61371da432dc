/**
 * AWS's own rules that tap must respect before anything reaches an API: value ranges, tag
 * rules and name rules per service. Plan does not check most of them, so configuration
 * validation, constructs and the rule pack all read them from here.
 *
 * Every checker returns why a value is refused, or `undefined` when AWS accepts it.
 */

/** The retention values CloudWatch Logs accepts (0 = never expire). */
export const LOG_RETENTION_DAYS_ALLOWED: readonly number[] = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Why CloudWatch Logs refuses `days` as the retention given by the prop `prop`, in a construct's words. */
export function logRetentionProblem(prop: string, days: number): string | undefined {
  return LOG_RETENTION_DAYS_ALLOWED.includes(days) ? undefined : `'${prop}' must be one of ${LOG_RETENTION_DAYS_ALLOWED.join(", ")}. Received: ${days}`;
}

/**
 * Tags. IAM's pattern is the strictest among the services tap tags (S3, KMS, EC2, Logs, SNS
 * and CloudTrail accept the same set or more): letters, digits, white space and `_ . : / = + - @`.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
 */
export const TAG_LIMITS = { maxKeyLength: 128, maxValueLength: 256, maxTagsPerResource: 50 } as const;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_ALLOWED = "letters, digits, spaces and _ . : / = + - @";

/**
 * IAM compares tag keys without regard to case: a role tagged both `Team` and `team` is refused
 * ("Duplicate tag keys found. Please note that Tag keys are case insensitive.").
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
 */
export const TAG_KEYS_CASE_INSENSITIVE = 'IAM treats tag keys case-insensitively and refuses both on one role ("Duplicate tag keys found")';

/** Why AWS refuses `key` as a tag key; reads after the quoted key. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > TAG_LIMITS.maxKeyLength) return `is not a valid tag key: keys have 1 to ${TAG_LIMITS.maxKeyLength} characters`;
  if (key.toLowerCase().startsWith("aws:")) return 'is not a valid tag key: the prefix "aws:" is reserved by AWS';
  if (!TAG_CHARACTERS.test(key)) return `is not a valid tag key: AWS allows only ${TAG_ALLOWED} (IAM's rule, the strictest among the tagged services)`;
  return undefined;
}

/** Why AWS refuses `value` as a tag value; reads after the quoted value. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length > TAG_LIMITS.maxValueLength) return `is not a valid tag value: values have at most ${TAG_LIMITS.maxValueLength} characters`;
  if (!TAG_CHARACTERS.test(value)) return `is not a valid tag value: AWS allows only ${TAG_ALLOWED} (IAM's rule, the strictest among the tagged services)`;
  return undefined;
}

/** The kinds of AWS-visible names tap creates, each with its service's rule. */
export type AwsNameKind =
  | "s3Bucket"
  | "securityGroup"
  | "iamRole"
  | "iamPolicy"
  | "kmsAlias"
  | "logGroup"
  | "cloudTrail"
  | "snsTopic"
  | "metricFilter"
  | "alarm"
  | "eventRule"
  | "accessAnalyzer"
  | "configRecorder";

/** What each kind is called in messages. */
export const AWS_NAME_KIND_LABELS: Readonly<Record<AwsNameKind, string>> = {
  s3Bucket: "S3 bucket",
  securityGroup: "security group",
  iamRole: "IAM role",
  iamPolicy: "IAM inline policy",
  kmsAlias: "KMS alias",
  logGroup: "CloudWatch log group",
  cloudTrail: "CloudTrail trail",
  snsTopic: "SNS topic",
  metricFilter: "metric filter",
  alarm: "CloudWatch alarm",
  eventRule: "EventBridge rule",
  accessAnalyzer: "IAM Access Analyzer analyzer",
  configRecorder: "AWS Config recorder",
};

/** An AWS-visible name a construct will create. */
export interface AwsName {
  readonly kind: AwsNameKind;
  readonly name: string;
}

const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/** Why AWS refuses `name` for a resource of `kind`, or undefined if it is accepted. */
export function awsNameProblem(kind: AwsNameKind, name: string): string | undefined {
  switch (kind) {
    case "s3Bucket":
      return bucketNameProblem(name);
    case "securityGroup":
      // @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
      if (name.length < 1 || name.length > 255) return `${name.length} characters; EC2 allows 1 to 255`;
      if (/^sg-/i.test(name)) return 'EC2 refuses security group names that start with "sg-"';
      if (!/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/.test(name)) return "EC2 allows letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*";
      return undefined;
    case "iamRole":
      // @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
      return lengthAndPattern(name, 64, /^[\w+=,.@-]+$/, "IAM allows letters, digits and +=,.@_-");
    case "iamPolicy":
      return lengthAndPattern(name, 128, /^[\w+=,.@-]+$/, "IAM allows letters, digits and +=,.@_-");
    case "kmsAlias":
      // @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
      if (!name.startsWith("alias/") || name.startsWith("alias/aws/")) return 'KMS aliases start with "alias/" and never with "alias/aws/"';
      return lengthAndPattern(name, 256, /^alias\/[a-zA-Z0-9/_-]+$/, "KMS allows letters, digits and /_- after alias/");
    case "logGroup":
      // @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
      return lengthAndPattern(name, 512, /^[.\-_/#A-Za-z0-9]+$/, "CloudWatch Logs allows letters, digits and ._-/#");
    case "cloudTrail":
      // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trail-naming-requirements.html
      if (name.length < 3 || name.length > 128) return `${name.length} characters; CloudTrail allows 3 to 128`;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(name)) {
        return "CloudTrail allows letters, digits, periods, underscores and hyphens, starting and ending with a letter or digit";
      }
      if (/[._-]{2}/.test(name)) return "CloudTrail refuses adjacent periods, underscores or hyphens";
      if (IP_ADDRESS.test(name)) return "CloudTrail refuses names formatted as IP addresses";
      return undefined;
    case "snsTopic":
      // @see https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
      return lengthAndPattern(name, 256, /^[A-Za-z0-9_-]+$/, "SNS allows letters, digits, hyphens and underscores");
    case "metricFilter":
      // @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
      return lengthAndPattern(name, 512, /^[^:*]+$/, "CloudWatch Logs refuses : and * in filter names");
    case "alarm":
      // @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
      return lengthAndPattern(name, 255, /^[^\x00-\x1f\x7f]+$/, "CloudWatch refuses control characters in alarm names");
    case "eventRule":
      // @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
      return lengthAndPattern(name, 64, /^[.\-_A-Za-z0-9]+$/, "EventBridge allows letters, digits and ._-");
    case "accessAnalyzer":
      // @see https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html
      return lengthAndPattern(name, 255, /^[A-Za-z][A-Za-z0-9_.-]*$/, "Access Analyzer allows letters, digits and _.- , starting with a letter");
    case "configRecorder":
      // @see https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorder.html
      return lengthAndPattern(name, 256, /^\S(.*\S)?$/, "AWS Config refuses leading or trailing white space");
  }
}

/**
 * Problems with the names a construct is about to create, for its own validation; names
 * holding unresolved values (an account id known at plan time) are checked in their known parts only.
 */
export function awsNameProblems(names: readonly AwsName[]): string[] {
  return names
    .filter(({ name }) => !name.includes("${"))
    .flatMap(({ kind, name }) => {
      const problem = awsNameProblem(kind, name);
      return problem ? [`the ${AWS_NAME_KIND_LABELS[kind]} name "${name}" is invalid (${problem})`] : [];
    });
}

function lengthAndPattern(name: string, max: number, pattern: RegExp, allowed: string): string | undefined {
  if (name.length < 1 || name.length > max) return `${name.length} characters; at most ${max} allowed`;
  return pattern.test(name) ? undefined : allowed;
}

const BUCKET_NAME_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

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

/**
 * AWS's size limits on policy documents, in characters of the policy without white space.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (role inline policies together, managed policy, role trust policy)
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy: 32 KB)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html (bucket policy: 20 KB)
 * @see https://docs.aws.amazon.com/general/latest/gr/sns.html (topic policy: 30 KB)
 */
export const POLICY_SIZE_LIMITS = {
  roleInlinePolicies: 10_240,
  managedPolicy: 6_144,
  roleTrustPolicy: 2_048,
  keyPolicy: 32_768,
  bucketPolicy: 20_480,
  topicPolicy: 30_720,
} as const;

/** The longest partition name (`aws-us-gov`) and region name (`ap-northeast-1`, `ap-southeast-2`) tap can deploy to. */
const LONGEST_PARTITION = 10;
const LONGEST_REGION = 14;
const ACCOUNT_ID = 12;

/**
 * The longest value a reference can take, per `<type>.<attribute>` (data sources as
 * `data.<type>.<attribute>`), so a policy's size can be bounded before apply. A reference not in
 * the list cannot be bounded, and a size rule reports it instead of guessing.
 */
export const REFERENCE_WORST_CASE_LENGTHS: Readonly<Record<string, number>> = {
  "data.aws_caller_identity.account_id": ACCOUNT_ID,
  "data.aws_partition.partition": LONGEST_PARTITION,
  // arn:<partition>:kms:<region>:<account>:key/<36-character key id>
  "aws_kms_key.arn": 4 + LONGEST_PARTITION + 5 + LONGEST_REGION + 1 + ACCOUNT_ID + 5 + 36,
  "aws_kms_key.key_id": 36,
  // arn:<partition>:s3:::<bucket of up to 63 characters>
  "aws_s3_bucket.arn": 4 + LONGEST_PARTITION + 6 + 63,
  "aws_s3_bucket.bucket": 63,
  "aws_s3_bucket.id": 63,
  // arn:<partition>:iam::<account>:role/<name of up to 64 characters>
  "aws_iam_role.arn": 4 + LONGEST_PARTITION + 6 + ACCOUNT_ID + 6 + 64,
  "aws_iam_role.name": 64,
  "aws_iam_role.id": 64,
  // arn:<partition>:sns:<region>:<account>:<topic name of up to 256 characters>
  "aws_sns_topic.arn": 4 + LONGEST_PARTITION + 5 + LONGEST_REGION + 1 + ACCOUNT_ID + 1 + 256,
  // arn:<partition>:cloudtrail:<region>:<account>:trail/<name of up to 128 characters>
  "aws_cloudtrail.arn": 4 + LONGEST_PARTITION + 12 + LONGEST_REGION + 1 + ACCOUNT_ID + 7 + 128,
};
