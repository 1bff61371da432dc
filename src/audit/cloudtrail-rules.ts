import { POLICY_SIZE_LIMITS } from "../aws/limits";
import { policyAttributeFits } from "../compliance/policy-size";
import { CIS_ALARMS } from "./cis-alarms";
import { customerManagedKey, fail, firstBlock, listOf, PASS, PolicyStatement, Rule, StackElement, StackView, unknown } from "../compliance/rule";
import { isDataBucket } from "../storage/s3-bucket-view";

/** Nested blocks synthesize as objects from cdktf and as one-element lists from HCL. */

/**
 * Whether a trail records read and write management events (CIS 3.1, Security Hub CloudTrail.1):
 * without selectors it does; a basic selector must keep management events with read_write_type
 * All; an advanced selector must select eventCategory Management without narrowing it by readOnly.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 */
function recordsManagementEvents(trail: StackElement): boolean {
  const advanced = listOf(trail.body.advanced_event_selector);
  if (advanced.length > 0) {
    return advanced.some((selector) => {
      const fields = listOf(selector.field_selector);
      const category = fields.find((field) => field.field === "eventCategory");
      return listOf(category?.equals).includes("Management") && !fields.some((field) => field.field === "readOnly");
    });
  }
  const selectors = listOf(trail.body.event_selector);
  return selectors.length === 0 || selectors.some((selector) => selector.include_management_events !== false && (selector.read_write_type ?? "All") === "All");
}

/** Trails that record every region's read and write management events, global service events included, and are logging. */
function multiRegionTrails(stack: StackView): StackElement[] {
  return stack
    .ofType("aws_cloudtrail")
    .filter(
      (trail) => trail.body.is_multi_region_trail === true && trail.body.include_global_service_events !== false && trail.body.enable_logging !== false && recordsManagementEvents(trail),
    );
}

/** The log group a trail delivers to (`<group ARN>:*`), if it is in the stack. */
function trailLogGroup(stack: StackView, trail: StackElement): StackElement | undefined {
  const arn = trail.body.cloud_watch_logs_group_arn;
  return typeof arn === "string" ? stack.referencedElement(arn.replace(/:\*$/, "")) : undefined;
}

const normalizePattern = (pattern: unknown) => String(pattern).replace(/\s+/g, " ").trim();

/**
 * Condition keys that hold a wildcard principal to one account, organization or source, so that
 * a topic policy naming "*" is not public (FSBP SNS.4).
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-4
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
const TOPIC_SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:principalaccount", "aws:principalorgid", "aws:principalarn"];

/** An Allow statement to "*" without a positive, non-IfExists condition on one of TOPIC_SOURCE_KEYS. */
const isPublicStatement = (statement: PolicyStatement) =>
  statement.effect === "Allow" &&
  statement.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*")) &&
  !statement.conditions.some((c) => TOPIC_SOURCE_KEYS.includes(c.variable.toLowerCase()) && !c.test.includes("Not") && !c.test.endsWith("IfExists") && c.values.length > 0 && !c.values.includes("*"));

export const CLOUDTRAIL_RULES: readonly Rule[] = [
  {
    id: "CloudTrail.MultiRegionTrail",
    appliesTo: ["stack"],
    info: "No trail records read and write management events in every region, global services included.",
    explanation: "Without a multi-region trail, API activity in an unused region (a favourite of attackers) is never recorded.",
    fix: "Add an aws_cloudtrail with is_multi_region_trail = true that keeps management events, read and write (no selector, or read_write_type All; the account-settings owner's AuditTrail does).",
    cis: "3.1",
    checkov: "CKV_AWS_67",
    fsbp: ["CloudTrail.1"],
    check: (_stack, stack) =>
      multiRegionTrails(stack).length > 0 ? PASS : fail("no aws_cloudtrail with is_multi_region_trail, global service events, read and write management events and logging on"),
  },
  {
    id: "CloudTrail.LogFileValidation",
    appliesTo: ["aws_cloudtrail"],
    info: "The trail does not validate its log files.",
    explanation: "Digest files prove that log files were not changed or deleted after delivery.",
    fix: "Set enable_log_file_validation = true.",
    cis: "3.2",
    checkov: "CKV_AWS_36",
    fsbp: ["CloudTrail.4"],
    check: (trail) => (trail.body.enable_log_file_validation === true ? PASS : fail("enable_log_file_validation is not true")),
  },
  {
    id: "CloudTrail.KmsEncryption",
    appliesTo: ["aws_cloudtrail"],
    info: "The trail's log files are not encrypted with a customer-managed KMS key.",
    explanation: "With SSE-KMS under your key, reading the account's audit log needs both S3 and key permissions.",
    fix: "Set kms_key_id to an aws_kms_key whose policy lets CloudTrail encrypt for this trail (aws:SourceArn).",
    cis: "3.5",
    checkov: "CKV_AWS_35",
    fsbp: ["CloudTrail.2"],
    check(trail, stack) {
      return customerManagedKey(stack, trail.body.kms_key_id, "kms_key_id");
    },
  },
  {
    id: "CloudTrail.CloudWatchLogs",
    appliesTo: ["aws_cloudtrail"],
    info: "The trail does not deliver to an encrypted CloudWatch Logs group.",
    explanation: "The section 4 metric filters and alarms read the trail from CloudWatch Logs; without delivery nothing alarms.",
    fix: "Set cloud_watch_logs_group_arn (`<group ARN>:*`) and cloud_watch_logs_role_arn; encrypt the group with kms_key_id.",
    cis: "v1.4.0 3.4; prerequisite of 4.1-4.15",
    checkov: "CKV2_AWS_10",
    fsbp: ["CloudTrail.5"],
    check(trail, stack) {
      if (!trail.body.cloud_watch_logs_group_arn || !trail.body.cloud_watch_logs_role_arn) return fail("cloud_watch_logs_group_arn or cloud_watch_logs_role_arn is not set");
      const group = trailLogGroup(stack, trail);
      if (!group) return unknown("the log group is not in this stack");
      return group.body.kms_key_id ? PASS : fail(`the log group ${group.path} is not KMS-encrypted`);
    },
  },
  {
    id: "CloudTrail.S3DataEvents",
    appliesTo: ["aws_s3_bucket"],
    info: "No trail records object-level read and write events of this data bucket.",
    explanation: "Management events do not show who read or changed which object; data events do.",
    fix: 'Add the bucket to a trail\'s event_selector: read_write_type "All", data_resource type AWS::S3::Object with value "<bucket ARN>/".',
    cis: "3.8, 3.9",
    fsbp: [],
    check(bucket, stack) {
      if (!isDataBucket(stack, bucket)) return PASS;
      const arnReference = `\${${bucket.address}.arn}`;
      for (const trail of stack.ofType("aws_cloudtrail")) {
        for (const selector of listOf(trail.body.event_selector)) {
          if ((selector.read_write_type ?? "All") !== "All") continue;
          const objects = listOf(selector.data_resource).filter((resource) => resource.type === "AWS::S3::Object");
          const values = objects.flatMap((resource) => listOf(resource.values).map(String));
          if (values.some((value) => value.startsWith(arnReference) || /^arn:[\w-]+:s3$/.test(value) || /^arn:[\w-]+:s3:::$/.test(value))) return PASS;
        }
        if (trail.body.advanced_event_selector !== undefined) return unknown(`${trail.path} uses advanced event selectors, which this rule does not read`);
      }
      return fail("no trail's event selector records AWS::S3::Object for this bucket with read_write_type All");
    },
  },
  {
    id: "Monitoring.CisMetricAlarms",
    appliesTo: ["stack"],
    info: "A CIS section 4 event has no metric filter on a multi-region trail's log group, or no alarm on it that notifies an SNS topic.",
    explanation: `Each of these is a sign of compromise or of a control being switched off: ${CIS_ALARMS.map((alarm) => `${alarm.cis} ${alarm.watches}`).join("; ")}.`,
    fix: "Add, on the trail's log group, an aws_cloudwatch_log_metric_filter with the benchmark's pattern and an aws_cloudwatch_metric_alarm on its metric with an SNS alarm action (the AuditTrail construct does).",
    cis: "4.1-4.15",
    fsbp: [],
    check(_stack, stack) {
      const groups = new Set(multiRegionTrails(stack).map((trail) => trailLogGroup(stack, trail)).filter(Boolean));
      if (groups.size === 0) return fail("no multi-region trail delivers to a log group in this stack");
      const filters = stack.ofType("aws_cloudwatch_log_metric_filter").filter((filter) => groups.has(stack.referencedElement(filter.body.log_group_name)));
      const alarms = stack.ofType("aws_cloudwatch_metric_alarm");
      const missing: string[] = [];
      for (const cis of CIS_ALARMS) {
        const filter = filters.find((f) => normalizePattern(f.body.pattern) === normalizePattern(cis.pattern));
        if (!filter) {
          missing.push(`${cis.cis} (no metric filter with the benchmark's pattern)`);
          continue;
        }
        const metric = firstBlock(filter.body.metric_transformation);
        const alarm = alarms.find((a) => {
          const byReference = stack.referencedElement(a.body.metric_name) === filter;
          const byName = a.body.metric_name === metric?.name && a.body.namespace === metric?.namespace;
          return byReference || byName;
        });
        if (!alarm) missing.push(`${cis.cis} (no alarm on the metric)`);
        else if (!listOf(alarm.body.alarm_actions).some((action) => stack.referencedElement(action)?.type === "aws_sns_topic")) missing.push(`${cis.cis} (the alarm notifies no SNS topic)`);
      }
      return missing.length === 0 ? PASS : fail(`missing: ${missing.join(", ")}`);
    },
  },
  {
    id: "SNS.KmsEncryption",
    appliesTo: ["aws_sns_topic"],
    info: "The topic is not encrypted with a KMS key.",
    explanation: "Security alarms describe the account's weak points; encryption keeps them readable only to those the key allows.",
    fix: "Set kms_master_key_id to a key whose policy lets the publishing services (cloudwatch.amazonaws.com) use it.",
    checkov: "CKV_AWS_26",
    fsbp: ["SNS.1"],
    check: (topic) => (topic.body.kms_master_key_id ? PASS : fail("kms_master_key_id is not set")),
  },
  {
    id: "SNS.NoPublicTopicPolicy",
    appliesTo: ["aws_sns_topic_policy", "aws_sns_topic"],
    info: 'The topic policy allows principal "*" without a condition that holds it to an account, organization or source.',
    explanation: "A public topic lets anyone publish forged alarms and findings to the people who act on them, or subscribe and read them.",
    fix: "Grant named service principals (with aws:SourceAccount or aws:SourceArn) or accounts; where \"*\" is needed, add a condition on aws:SourceAccount, aws:SourceArn, aws:PrincipalAccount or aws:PrincipalOrgID.",
    fsbp: ["SNS.4"],
    check(element, stack) {
      if (element.type === "aws_sns_topic" && element.body.policy === undefined) return PASS;
      const statements = stack.policyStatements(element.body.policy);
      if (!statements) return unknown("the topic policy is computed at apply time and cannot be read");
      const open = statements.find(isPublicStatement);
      return open ? fail(`statement ${open.sid ?? "(no sid)"} allows "*" ${open.actions.join(", ")} without holding it to an account or source`) : PASS;
    },
  },
  {
    id: "SNS.TopicPolicySize",
    appliesTo: ["aws_sns_topic_policy"],
    info: `The topic policy can exceed the ${POLICY_SIZE_LIMITS.topicPolicy.toLocaleString("en-US")} characters SNS allows.`,
    explanation: "SNS refuses a longer topic policy at apply.",
    fix: "Grant publishing by condition (aws:SourceArn patterns) instead of listing every source.",
    fsbp: [],
    check: policyAttributeFits("policy", POLICY_SIZE_LIMITS.topicPolicy, "the topic policy"),
  },
];
