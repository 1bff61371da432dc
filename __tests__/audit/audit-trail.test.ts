import { AuditTrail, AuditTrailProps, ConfigDeliveryTarget } from "../../src/audit/audit-trail";
import { IAccessLogTarget } from "../../src/storage/hardened-bucket";
import { CIS_ALARMS, CIS_METRIC_NAMESPACE } from "../../src/audit/cis-alarms";
import { probe, probed, ACCOUNT_ID, dataReferenceTo, dataSourceAt, PARTITION, referenceTo, resourceAt, resourcesOf, synthConstruct, SynthJson, synthScopeOf } from "../helpers";

const REGION = "us-east-1";
const DATA_BUCKET_ARN = "arn:aws:s3:::tap-dev-us-east-1-data-123456789012";
const LOG_BUCKET = "tap-dev-us-east-1-logs-123456789012";
/** Stands in for the home region's SecureStorage, recording which buckets asked to be logged. */
const loggedSources: string[] = [];
const accessLogs: IAccessLogTarget = { grantServerAccessLogs: (source) => (loggedSources.push(source), { targetBucket: LOG_BUCKET, targetPrefix: `s3/${source}/` }) };
const baseProps: Omit<AuditTrailProps, "provider"> = {
  naming: { project: "tap", environment: "dev", region: REGION },
  accountId: ACCOUNT_ID,
  partition: PARTITION,
  accessLogs,
};
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/tap-dev-trail";

/** Synthesizes an AuditTrail recording the data bucket's object events, as TapStack does; `use` may grant more. */
function synthTrail(props: Partial<AuditTrailProps> = {}, use: (trail: AuditTrail) => void = () => {}): SynthJson {
  return synthConstruct(REGION, (scope, provider) => {
    const trail = new AuditTrail(scope, "audit", { ...baseProps, ...props, provider });
    trail.recordObjectEvents(DATA_BUCKET_ARN);
    use(trail);
  });
}

const statement = (json: SynthJson, document: string, sid: string) => dataSourceAt(json, "aws_iam_policy_document", document).statement.find((s: any) => s.sid === sid);

describe("AuditTrail", () => {
  const json = synthTrail();
  const keyArn = referenceTo(json, "aws_kms_key", "audit/key", "arn");

  test("matches the synth-scope snapshot", () => {
    expect(synthScopeOf(REGION, (scope, provider) => {
        const trail = new AuditTrail(scope, "audit", { ...baseProps, provider, alarmEmail: "secops@example.com" });
        trail.recordObjectEvents(DATA_BUCKET_ARN);
        trail.grantConfigDelivery();
      })).toMatchSnapshot();
  });

  test("one multi-region trail with global events, log file validation, its own key, CloudWatch Logs delivery and data events of the data buckets", () => {
    expect(resourceAt(json, "aws_cloudtrail", "audit/trail")).toMatchObject({
      name: "tap-dev-trail",
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_logging: true,
      enable_log_file_validation: true,
      kms_key_id: keyArn,
      s3_bucket_name: referenceTo(json, "aws_s3_bucket", "audit/bucket/bucket", "id"),
      cloud_watch_logs_group_arn: `${referenceTo(json, "aws_cloudwatch_log_group", "audit/log-group", "arn")}:*`,
      cloud_watch_logs_role_arn: referenceTo(json, "aws_iam_role", "audit/logs-role", "arn"),
      event_selector: [{ read_write_type: "All", include_management_events: true, data_resource: [{ type: "AWS::S3::Object", values: [`${DATA_BUCKET_ARN}/`] }] }],
    });
    // CloudTrail checks its bucket, key and role when the trail is created: it waits for the bucket policy and the role's policy.
  });

  test("the key lets CloudTrail encrypt for this trail only, CloudWatch Logs for the trail's log group only, and CloudWatch alarms of this trail publish", () => {
    expect(statement(json, "audit/key-policy", "CloudTrailEncryptsThisTrail")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
      actions: ["kms:GenerateDataKey*"],
      condition: [
        { test: "StringEquals", variable: "aws:SourceArn", values: [TRAIL_ARN] },
        { test: "StringLike", variable: "kms:EncryptionContext:aws:cloudtrail:arn", values: ["arn:aws:cloudtrail:*:123456789012:trail/*"] },
      ],
    });
    expect(statement(json, "audit/key-policy", "CloudWatchLogsForTheTrailLogGroup").condition).toEqual([
      { test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/tap-dev-trail"] },
    ]);
    expect(statement(json, "audit/key-policy", "CloudWatchAlarmsPublishEncrypted").condition).toEqual([
      { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:tap-dev-cis-*"] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] },
    ]);
  });

  test("the trail bucket lets CloudTrail write for this trail only, under AWSLogs/<account>, with the owner in control; it is access-logged to the given bucket", () => {
    const bucketArn = "arn:aws:s3:::tap-dev-cloudtrail-123456789012";
    expect(resourceAt(json, "aws_s3_bucket", "audit/bucket/bucket").bucket).toBe("tap-dev-cloudtrail-123456789012");
    expect(statement(json, "audit/bucket/policy-document", "CloudTrailAclCheck")).toMatchObject({ actions: ["s3:GetBucketAcl"], resources: [bucketArn], condition: [{ variable: "aws:SourceArn", values: [TRAIL_ARN] }] });
    expect(statement(json, "audit/bucket/policy-document", "CloudTrailWrite")).toMatchObject({
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/AWSLogs/123456789012/*`],
      condition: [
        { test: "StringEquals", variable: "aws:SourceArn", values: [TRAIL_ARN] },
        { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
      ],
    });
    expect(statement(json, "audit/bucket/policy-document", "ConfigDelivery")).toBeUndefined();
    expect(resourceAt(json, "aws_s3_bucket_logging", "audit/bucket/access-logging")).toMatchObject({ target_bucket: LOG_BUCKET, target_prefix: "s3/tap-dev-cloudtrail-123456789012/" });
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "audit/bucket/encryption").rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: keyArn });
  });

  test("with an S3 Bucket Key on its bucket, CloudTrail may decrypt with the key for this trail only (needed to create or update the trail)", () => {
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    expect(resourceAt(json, "aws_s3_bucket_server_side_encryption_configuration", "audit/bucket/encryption").rule[0].bucket_key_enabled).toBe(true);
    expect(statement(json, "audit/key-policy", "CloudTrailDecryptsForBucketKey")).toEqual({
      sid: "CloudTrailDecryptsForBucketKey",
      effect: "Allow",
      principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:SourceArn", values: [TRAIL_ARN] }],
    });
  });

  test("the trail waits for its bucket's policy, its encryption and the log role, which CloudTrail checks at creation", () => {
    expect(resourceAt(json, "aws_cloudtrail", "audit/trail").depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_s3_bucket_policy\.audit_bucket_policy_/),
        expect.stringMatching(/^aws_s3_bucket_server_side_encryption_configuration\.audit_bucket_encryption_/),
        expect.stringMatching(/^aws_iam_role_policy\.audit_logs-policy_/),
      ]),
    );
  });

  test("the trail bucket asks the access-log bucket for a grant under its own name", () => {
    expect(loggedSources).toContain("tap-dev-cloudtrail-123456789012");
  });

  test("without recorded buckets the trail records management events only", () => {
    const json = synthConstruct(REGION, (scope, provider) => new AuditTrail(scope, "audit", { ...baseProps, provider }));
    expect(resourceAt(json, "aws_cloudtrail", "audit/trail").event_selector).toEqual([{ read_write_type: "All", include_management_events: true }]);
  });

  test("AWS Config may deliver under config/ for this account only, once granted, and learns where", () => {
    const withConfig = synthTrail({}, (trail) => probe(trail, "target", trail.grantConfigDelivery()));
    const target: ConfigDeliveryTarget = probed(withConfig, "target");
    expect(target).toMatchObject({ bucketName: referenceTo(withConfig, "aws_s3_bucket", "audit/bucket/bucket", "bucket"), keyPrefix: "config" });
    // AWS Config delivers as its service principal: the key lets it encrypt for this account only.
    expect(statement(withConfig, "audit/key-policy", "ConfigEncryptsDeliveries")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT_ID] }],
    });
    expect(target.ready).toMatch(/^\$\{aws_s3_bucket_policy\.audit_bucket_policy_\w+\}$/);
    expect(statement(withConfig, "audit/bucket/policy-document", "ConfigDelivery")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
      resources: ["arn:aws:s3:::tap-dev-cloudtrail-123456789012/config/AWSLogs/123456789012/Config/*"],
      condition: [{ variable: "aws:SourceAccount", values: [ACCOUNT_ID] }, { variable: "s3:x-amz-acl" }],
    });
  });

  test("CloudTrail's log role writes only to the trail's log streams; the log group is encrypted and keeps the retention", () => {
    expect(dataSourceAt(json, "aws_iam_policy_document", "audit/logs-permissions").statement).toEqual([
      {
        sid: "DeliverTrailEvents",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/tap-dev-trail:log-stream:*"],
      },
    ]);
    expect(resourceAt(json, "aws_cloudwatch_log_group", "audit/log-group")).toMatchObject({ name: "/aws/cloudtrail/tap-dev-trail", kms_key_id: keyArn, retention_in_days: 365 });
  });

  test("CIS 4.1-4.15: one metric filter per event on the trail's log group, and an alarm on each that notifies the encrypted topic", () => {
    const filters = resourcesOf(json, "aws_cloudwatch_log_metric_filter").map(([, f]) => f);
    expect(filters.map((f) => f.pattern)).toEqual(CIS_ALARMS.map((alarm) => alarm.pattern));
    expect(new Set(filters.map((f) => f.log_group_name))).toEqual(new Set([referenceTo(json, "aws_cloudwatch_log_group", "audit/log-group", "name")]));
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm").map(([, a]) => a);
    expect(alarms.map((a) => a.alarm_name)).toEqual(CIS_ALARMS.map((alarm) => `tap-dev-cis-${alarm.cis}-${alarm.name}`));
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ namespace: CIS_METRIC_NAMESPACE, statistic: "Sum", threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold", alarm_actions: [referenceTo(json, "aws_sns_topic", "audit/alarm-topic", "arn")] });
    }
    expect(resourceAt(json, "aws_sns_topic", "audit/alarm-topic")).toMatchObject({ name: "tap-dev-security-alarms", kms_master_key_id: keyArn });
    expect(statement(json, "audit/alarm-topic-policy-document", "CloudWatchAlarmsOfThisDeployment")).toMatchObject({
      actions: ["sns:Publish"],
      condition: [{ variable: "aws:SourceArn", values: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:tap-dev-cis-*"] }, { variable: "aws:SourceAccount", values: [ACCOUNT_ID] }],
    });
    expect(resourceAt(json, "aws_sns_topic_policy", "audit/alarm-topic-policy").policy).toBe(dataReferenceTo(json, "aws_iam_policy_document", "audit/alarm-topic-policy-document", "json"));
  });

  test("an e-mail subscription only when an address is given", () => {
    expect(resourcesOf(json, "aws_sns_topic_subscription")).toEqual([]);
    expect(resourceAt(synthTrail({ alarmEmail: "secops@example.com" }), "aws_sns_topic_subscription", "audit/alarm-email")).toMatchObject({ protocol: "email", endpoint: "secops@example.com" });
  });

  test("an adopted trail keeps its name and is imported by its ARN, arn:<partition>:cloudtrail:<region>:<account>:trail/<name>", () => {
    // hashicorp/aws 5.100 keeps a trail's ARN as its id (resourceTrailRead finds the trail by d.Id() as an ARN):
    // an import id with the account and region swapped names no trail.
    const adopted = synthTrail({ adoptTrailNamed: "main" });
    expect(resourceAt(adopted, "aws_cloudtrail", "audit/trail").name).toBe("main");
    expect(adopted.import).toEqual([expect.objectContaining({ to: expect.stringMatching(/^aws_cloudtrail\./), id: "arn:aws:cloudtrail:us-east-1:123456789012:trail/main" })]);
    expect(json.import).toBeUndefined();
  });

  test("protect keeps the bucket and the key from destroy", () => {
    const json = synthTrail({ protect: true });
    expect(resourceAt(json, "aws_s3_bucket", "audit/bucket/bucket")).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(resourceAt(json, "aws_kms_key", "audit/key").lifecycle).toEqual({ prevent_destroy: true });
  });

  test.each([
    [{ logRetentionDays: 366 }, /'logRetentionDays' must be one of .*Received: 366/],
    [{ naming: { project: "tap", environment: "x".repeat(40), region: REGION } }, /the S3 bucket name "tap-x{40}-cloudtrail-123456789012" is invalid/],
  ])("refuses %j with an error naming the prop", (props, message) => {
    expect(() => synthTrail(props)).toThrow(message);
  });
});
