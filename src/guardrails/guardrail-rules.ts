import { SINGLETON_TYPES } from "../aws/singletons";
import { CIS_STANDARD_KEYS, CONFIG_REQUIRED_RESOURCE_TYPES, CONFIG_SERVICE_LINKED_ROLE, DEFAULT_VPC_FILTER, GUARDDUTY_PROTECTION_PLAN_KEYS, guardDutyFeatureSettings, PUBLIC_SHARING_BLOCKS, SECURITY_CONTACT_TYPE, SSM_AUTOMATION_LOGGING, SECURITY_HUB_STANDARDS, SecurityHubStandard, standardOfArn } from "./guardrail-facts";
import { fail, firstBlock, listOf, Outcome, PASS, Rule, StackElement, StackView } from "../compliance/rule";


/**
 * A per-region control: passes when the region (provider) has a resource of `type` that
 * `accepts`, and trivially for a provider with no resources at all (a retiring region).
 */
function regionHas(stack: StackView, provider: StackElement, type: string, accepts: (resource: StackElement) => Outcome, missing: string): Outcome {
  const resources = stack.resourcesOf(provider);
  if (resources.length === 0) return PASS;
  const candidates = resources.filter((resource) => resource.type === type);
  if (candidates.length === 0) return fail(`${missing} in region ${provider.body.region ?? provider.name}`);
  const outcomes = candidates.map(accepts);
  return outcomes.find((outcome) => outcome.status === "pass") ?? outcomes[0];
}

/** A region passes when Security Hub runs there with one of `standards` subscribed. */
function standardSubscribed(provider: StackElement, stack: StackView, standards: readonly SecurityHubStandard[], what: string): Outcome {
  const hub = regionHas(stack, provider, "aws_securityhub_account", () => PASS, "no aws_securityhub_account");
  if (hub.status !== "pass") return hub;
  return regionHas(
    stack,
    provider,
    "aws_securityhub_standards_subscription",
    (r) => {
      const standard = standardOfArn(r.body.standards_arn);
      return standard !== undefined && standards.includes(standard) ? PASS : fail(`no subscription to ${what} (subscribed to ${r.body.standards_arn})`);
    },
    `no aws_securityhub_standards_subscription to ${what}`,
  );
}

/** The recording strategy's one block, as synthesized (a list of one) or written (an object). */
function recordingStrategy(recorder: StackElement): string | undefined {
  return firstBlock(firstBlock(recorder.body.recording_group)?.recording_strategy)?.use_only as string | undefined;
}

/** The resource types a recorder with the exclusion strategy leaves out; none for any other recorder. */
function excludedTypes(recorder: StackElement): string[] {
  if (recordingStrategy(recorder) !== "EXCLUSION_BY_RESOURCE_TYPES") return [];
  const types = firstBlock(firstBlock(recorder.body.recording_group)?.exclusion_by_resource_types)?.resource_types;
  return Array.isArray(types) ? types.map(String) : [];
}

/** Records every supported type, or every one but listed exclusions (Config.RequiredResourceTypes judges which). */
function recordsAllBut(recorder: StackElement): boolean {
  return firstBlock(recorder.body.recording_group)?.all_supported === true || recordingStrategy(recorder) === "EXCLUSION_BY_RESOURCE_TYPES";
}

/** An exclusion-strategy recorder records IAM's global types unless it excludes them. */
function recordsGlobalByExclusion(recorder: StackElement): boolean {
  return recordingStrategy(recorder) === "EXCLUSION_BY_RESOURCE_TYPES" && !excludedTypes(recorder).some((type) => type.startsWith("AWS::IAM::"));
}

/**
 * The region's lookup of its default VPC that a resource's for_each iterates over
 * (`${toset(data.aws_vpcs.<name>.ids)}`): a data.aws_vpcs of the same provider filtered is-default = true.
 */
function iteratedDefaultVpcs(stack: StackView, provider: StackElement, resource: StackElement): StackElement | undefined {
  const address = /^\$\{toset\((data\.aws_vpcs\.[\w-]+)\.ids\)\}$/.exec(String(resource.body.for_each ?? ""))?.[1];
  const lookup = stack.ofType("data.aws_vpcs").find((candidate) => candidate.address === address);
  if (!lookup || stack.providerOf(lookup) !== provider) return undefined;
  const filters = listOf(lookup.body.filter);
  return filters.some((filter) => filter.name === DEFAULT_VPC_FILTER.name && listOf(filter.values).map(String).join() === "true") ? lookup : undefined;
}

/** Every protection plan's feature, each on, with each agent configuration on. */
const ALL_GUARDDUTY_FEATURES = guardDutyFeatureSettings(GUARDDUTY_PROTECTION_PLAN_KEYS);

/**
 * The features of `type` in the region (detector features, or an organization configuration's)
 * that leave a protection plan off: each feature must be declared once with `on` as its status
 * (status ENABLED, or auto_enable ALL) and each of its agent configurations likewise.
 */
function plansOff(stack: StackView, provider: StackElement, type: string, statusOf: (block: any) => unknown, on: string): string[] {
  const declared = stack.resourcesOf(provider).filter((resource) => resource.type === type);
  return ALL_GUARDDUTY_FEATURES.flatMap((feature) => {
    const found = declared.filter((resource) => resource.body.name === feature.name);
    if (found.length === 0) return [`no ${type} ${feature.name}`];
    if (found.every((resource) => statusOf(resource.body) !== on)) return [`${feature.name} is ${String(statusOf(found[0].body))}`];
    const agents = listOf(found.find((resource) => statusOf(resource.body) === on)!.body.additional_configuration);
    return feature.agents.flatMap((agent) => {
      const block = agents.find((candidate) => candidate.name === agent.name);
      return block && statusOf(block) === on ? [] : [`${feature.name} ${agent.name} is ${block ? String(statusOf(block)) : "not declared"}`];
    });
  });
}

/** A region (provider with resources) sets the SSM service setting `setting` (id or ARN form) to `value`. */
function ssmSettingIs(provider: StackElement, stack: StackView, setting: string, value: string): Outcome {
  const resources = stack.resourcesOf(provider);
  const settings = resources.filter((r) => r.type === "aws_ssm_service_setting" && String(r.body.setting_id).endsWith(setting));
  if (resources.length > 0 && settings.length === 0) return fail(`no aws_ssm_service_setting for ${setting} in region ${provider.body.region ?? provider.name}`);
  const other = settings.find((r) => r.body.setting_value !== value);
  return other ? fail(`setting_value is ${other.body.setting_value}, not ${value}`) : PASS;
}

export const GUARDRAIL_RULES: readonly Rule[] = [
  {
    id: "EC2.EbsEncryptionByDefault",
    appliesTo: ["provider.aws"],
    info: "A region does not encrypt new EBS volumes by default.",
    explanation: "Without the default, one launch without an encryption flag stores data in the clear.",
    fix: "Add an aws_ebs_encryption_by_default with enabled = true in every region (RegionalGuardrails does), and an aws_ebs_default_kms_key for a customer key.",
    cis: "2.2.1",
    checkov: "CKV_AWS_106",
    fsbp: ["EC2.7"],
    check: (provider, stack) =>
      regionHas(stack, provider, "aws_ebs_encryption_by_default", (r) => (r.body.enabled === false ? fail("enabled is false") : PASS), "no aws_ebs_encryption_by_default"),
  },
  {
    id: "IAM.AccessAnalyzer",
    appliesTo: ["provider.aws"],
    info: "A region has no IAM Access Analyzer.",
    explanation: "The analyzer finds resources shared outside the account (buckets, keys, roles); it works per region.",
    fix: "Add an aws_accessanalyzer_analyzer of type ACCOUNT in every region (RegionalGuardrails does).",
    cis: "1.20",
    fsbp: [],
    check: (provider, stack) => regionHas(stack, provider, "aws_accessanalyzer_analyzer", () => PASS, "no aws_accessanalyzer_analyzer"),
  },
  {
    id: "GuardDuty.Enabled",
    appliesTo: ["provider.aws"],
    info: "A region has no enabled GuardDuty detector.",
    explanation: "GuardDuty analyses CloudTrail, VPC flow and DNS logs for known attack patterns; it works per region.",
    fix: "Add an aws_guardduty_detector with enable = true in every region (TAP_GUARDDUTY, on by default), or accept the risk with a reason.",
    checkov: "CKV_AWS_238",
    fsbp: ["GuardDuty.1"],
    check: (provider, stack) =>
      regionHas(stack, provider, "aws_guardduty_detector", (r) => (r.body.enable === false ? fail("enable is false") : PASS), "no aws_guardduty_detector"),
  },
  {
    id: "GuardDuty.ProtectionPlans",
    appliesTo: ["provider.aws"],
    info: "A region's GuardDuty detector (or an organization's auto-enable configuration) leaves a protection plan off.",
    explanation:
      "Without its protection plans GuardDuty sees only CloudTrail, VPC flow and DNS logs: not S3 data access, EKS audit logs, malware on EBS volumes, RDS logins, Lambda network activity or what runs on EKS, ECS and EC2. In an organization each member needs them, which the delegated administrator's auto-enable gives.",
    fix: "Add one aws_guardduty_detector_feature per plan, status ENABLED (Runtime Monitoring with EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT and EC2_AGENT_MANAGEMENT ENABLED), and for an organization's administrator one aws_guardduty_organization_configuration_feature per plan with auto_enable ALL (TAP_GUARDDUTY_PROTECTION, every plan by default), or accept the risk with a reason.",
    fsbp: ["GuardDuty.5", "GuardDuty.6", "GuardDuty.7", "GuardDuty.8", "GuardDuty.9", "GuardDuty.10", "GuardDuty.11", "GuardDuty.12", "GuardDuty.13"],
    check(provider, stack) {
      const detector = regionHas(stack, provider, "aws_guardduty_detector", () => PASS, "no aws_guardduty_detector");
      if (detector.status !== "pass" || stack.resourcesOf(provider).length === 0) return detector;
      const problems = plansOff(stack, provider, "aws_guardduty_detector_feature", (block) => block.status, "ENABLED");
      // A delegated administrator's detector auto-enables the plans for every member, existing and new.
      if (stack.resourcesOf(provider).some((resource) => resource.type === "aws_guardduty_organization_configuration")) {
        problems.push(...plansOff(stack, provider, "aws_guardduty_organization_configuration_feature", (block) => block.auto_enable, "ALL"));
      }
      return problems.length === 0 ? PASS : fail(`${problems.join("; ")} in region ${provider.body.region ?? provider.name}`);
    },
  },
  {
    id: "SecurityHub.CisStandard",
    appliesTo: ["provider.aws"],
    info: "A region does not run Security Hub with a CIS AWS Foundations Benchmark standard (v5.0.0 or v3.0.0).",
    explanation: "Security Hub checks the benchmark continuously, catching drift that happens after deployment.",
    fix: `Add an aws_securityhub_account and an aws_securityhub_standards_subscription for ${SECURITY_HUB_STANDARDS["cis-v5"].arnSuffix} (or ${SECURITY_HUB_STANDARDS["cis-v3"].arnSuffix}) in every region (TAP_SECURITY_HUB on, TAP_SECURITY_HUB_STANDARDS with cis-v5 or cis-v3).`,
    cis: "4.16",
    fsbp: [],
    check: (provider, stack) => standardSubscribed(provider, stack, CIS_STANDARD_KEYS, "a CIS AWS Foundations Benchmark standard"),
  },
  {
    id: "SecurityHub.FsbpStandard",
    appliesTo: ["provider.aws"],
    info: "A region does not run Security Hub with the AWS Foundational Security Best Practices standard.",
    explanation: "FSBP is the standard AWS and most auditors look at first; without it, its failures (default security groups, public snapshots, security contact) are found by the first audit instead of by the account.",
    fix: `Add an aws_securityhub_standards_subscription for ${SECURITY_HUB_STANDARDS.fsbp.arnSuffix} in every region (TAP_SECURITY_HUB_STANDARDS with fsbp, the default).`,
    // FSBP has no control of its own for Security Hub (SecurityHub.1 is a CIS v1.4/NIST control).
    fsbp: [],
    check: (provider, stack) => standardSubscribed(provider, stack, ["fsbp"], "the FSBP standard"),
  },
  {
    id: "Config.Recorder",
    appliesTo: ["provider.aws"],
    info: "A region has no running AWS Config recorder of all supported resources (or all but listed exclusions) with a delivery channel.",
    explanation: "Config's history answers what changed and when; Security Hub's CIS controls are Config rules and report nothing without it.",
    fix: "Add an aws_config_configuration_recorder (recording_group all_supported = true, or the EXCLUSION_BY_RESOURCE_TYPES strategy), an aws_config_delivery_channel and an aws_config_configuration_recorder_status with is_enabled = true in every region (TAP_AWS_CONFIG, on by default).",
    cis: "3.3",
    checkov: "CKV2_AWS_45, CKV2_AWS_48",
    fsbp: ["Config.1"],
    check(provider, stack) {
      const recorder = regionHas(
        stack,
        provider,
        "aws_config_configuration_recorder",
        (r) => (recordsAllBut(r) ? PASS : fail("recording_group neither records all supported resources nor uses EXCLUSION_BY_RESOURCE_TYPES")),
        "no aws_config_configuration_recorder",
      );
      if (recorder.status !== "pass") return recorder;
      const channel = regionHas(stack, provider, "aws_config_delivery_channel", () => PASS, "no aws_config_delivery_channel");
      if (channel.status !== "pass") return channel;
      return regionHas(stack, provider, "aws_config_configuration_recorder_status", (r) => (r.body.is_enabled === true ? PASS : fail("is_enabled is not true")), "no aws_config_configuration_recorder_status");
    },
  },
  {
    id: "Config.GlobalResources",
    appliesTo: ["stack"],
    info: "The account's AWS Config recorders record regional resources only: none records IAM's global ones.",
    explanation: "IAM users, roles and policies are global; only a recorder with include_global_resource_types records their changes, and exactly one region should (else each change is recorded, and billed, once per region).",
    fix: "Set recording_group include_global_resource_types = true on the home region's recorder, or leave the IAM types out of its exclusion_by_resource_types (TapStack does).",
    cis: "3.3",
    fsbp: [],
    check(_stack, stack) {
      const recorders = stack.ofType("aws_config_configuration_recorder");
      if (recorders.length === 0) return PASS; // Config.Recorder reports regions without one.
      const global = recorders.filter((r) => firstBlock(r.body.recording_group)?.include_global_resource_types === true || recordsGlobalByExclusion(r)).length;
      return global > 0 ? PASS : fail("no region's recorder has include_global_resource_types = true, so IAM changes go unrecorded");
    },
  },
  {
    id: "Config.RequiredResourceTypes",
    appliesTo: ["aws_config_configuration_recorder"],
    info: "An AWS Config recorder excludes a resource type that the enabled Security Hub standards' controls evaluate for what tap builds.",
    explanation:
      "Security Hub's Config.1 fails a recorder that does not record the resource types of the enabled controls, and those controls report nothing for a type that is not recorded (https://docs.aws.amazon.com/securityhub/latest/userguide/config-controls.html#config-1).",
    fix: `Remove these types from exclusion_by_resource_types (TAP_CONFIG_EXCLUDED_RESOURCE_TYPES): ${CONFIG_REQUIRED_RESOURCE_TYPES.join(", ")}; IAM's types may be excluded only outside the home region, whose recorder records them.`,
    cis: "3.3",
    fsbp: ["Config.1"],
    check(recorder, stack) {
      const excluded = excludedTypes(recorder);
      const global = stack.ofType("aws_config_configuration_recorder").filter((r) => r !== recorder).some((r) => firstBlock(r.body.recording_group)?.include_global_resource_types === true || recordsGlobalByExclusion(r));
      // IAM's types are global: one region records them, so the others may exclude them.
      const missing = CONFIG_REQUIRED_RESOURCE_TYPES.filter((type) => excluded.includes(type) && !(global && type.startsWith("AWS::IAM::")));
      return missing.length === 0 ? PASS : fail(`excludes ${missing.join(", ")}, which the enabled standards' controls evaluate`);
    },
  },
  {
    id: "Config.ServiceLinkedRole",
    appliesTo: ["aws_config_configuration_recorder"],
    info: "An AWS Config recorder records with a role other than AWS Config's service-linked role.",
    explanation: `Security Hub's control Config.1 fails a recorder that does not use ${CONFIG_SERVICE_LINKED_ROLE.name}, whose permissions AWS keeps current as Config supports new resource types; a custom role falls behind.`,
    fix: `Set role_arn to an aws_iam_service_linked_role for ${CONFIG_SERVICE_LINKED_ROLE.service} (AccountGuardrails creates or adopts it), or to its ARN .../role/aws-service-role/${CONFIG_SERVICE_LINKED_ROLE.service}/${CONFIG_SERVICE_LINKED_ROLE.name}.`,
    fsbp: ["Config.1"],
    check(recorder, stack) {
      const role = stack.referencedElement(recorder.body.role_arn);
      if (role) {
        return role.type === "aws_iam_service_linked_role" && role.body.aws_service_name === CONFIG_SERVICE_LINKED_ROLE.service
          ? PASS
          : fail(`role_arn is ${role.type} ${role.name}, not AWS Config's service-linked role`);
      }
      const arn = String(recorder.body.role_arn);
      return arn.endsWith(`:role/aws-service-role/${CONFIG_SERVICE_LINKED_ROLE.service}/${CONFIG_SERVICE_LINKED_ROLE.name}`) ? PASS : fail(`role_arn ${arn} is not AWS Config's service-linked role`);
    },
  },
  {
    id: "Account.OneOwnerPerSingleton",
    appliesTo: ["stack"],
    info: "The stack declares an account or regional singleton twice.",
    explanation: `AWS keeps one of each per account (or per account and region): ${Object.entries(SINGLETON_TYPES)
      .map(([type, { scope }]) => `${type} (${scope})`)
      .join(", ")}. Two declarations overwrite each other and the destroy of either removes it for both.`,
    fix: "Declare each once, in the deployment that owns the account's settings.",
    fsbp: [],
    check(_stack, stack) {
      for (const [type, { scope }] of Object.entries(SINGLETON_TYPES)) {
        const resources = stack.ofType(type);
        const keys = resources.map((resource) => (scope === "account" ? "account" : (stack.providerOf(resource)?.address ?? "default")));
        const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
        if (duplicate) return fail(`${type} is declared more than once ${scope === "account" ? "in the account" : `for provider ${duplicate}`}`);
      }
      return PASS;
    },
  },
  {
    id: "S3.AccountPublicAccessBlock",
    appliesTo: ["stack"],
    info: "The account does not block public access to S3 at account level.",
    explanation: "The account-level block overrides every bucket's own settings, including buckets created outside this stack.",
    fix: "Add an aws_s3_account_public_access_block with all four flags true (the account-settings owner's AccountGuardrails does).",
    cis: "2.1.4",
    checkov: "CKV_AWS_53-56 (bucket-level only)",
    fsbp: ["S3.1"],
    check(_stack, stack) {
      const [block] = stack.ofType("aws_s3_account_public_access_block");
      if (!block) return fail("no aws_s3_account_public_access_block");
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      const off = flags.filter((flag) => block.body[flag] !== true);
      return off.length === 0 ? PASS : fail(`${off.join(", ")} not true`);
    },
  },
  {
    id: "EC2.DefaultVpcSecurityGroupClosed",
    appliesTo: ["provider.aws"],
    info: "A region's default VPC keeps a default security group that allows traffic.",
    explanation:
      "Every region of an account comes with a default VPC whose default group lets its members reach each other and anything outside; an instance launched without a group lands in it. CIS 5.4 and FSBP EC2.2 apply to every VPC, the default ones included.",
    fix: "Add, in every region, an aws_default_security_group with empty ingress and egress lists for each id of a data.aws_vpcs filtered is-default = true (for_each: a region without a default VPC gets none); never aws_default_vpc, which creates one (TAP_DEFAULT_VPC_LOCKDOWN, on by default).",
    cis: "5.4",
    fsbp: ["EC2.2"],
    check(provider, stack) {
      if (stack.resourcesOf(provider).length === 0) return PASS;
      const groups = stack.resourcesOf(provider).filter((resource) => resource.type === "aws_default_security_group" && iteratedDefaultVpcs(stack, provider, resource));
      if (groups.length === 0) return fail(`no aws_default_security_group for the default VPC (for_each over a data.aws_vpcs filtered is-default) in region ${provider.body.region ?? provider.name}`);
      const empty = (rules: unknown) => Array.isArray(rules) && rules.length === 0;
      const open = groups.find((group) => !empty(group.body.ingress) || !empty(group.body.egress));
      return open ? fail(`${open.path}: ingress and egress must both be explicit empty lists (an omitted list leaves AWS's rules in place)`) : PASS;
    },
  },
  {
    // Not FSBP EC2.1 (publicly restorable snapshots): that control judges each snapshot's permissions, so a snapshot made public before the block still fails it.
    id: "EC2.SnapshotBlockPublicAccess",
    appliesTo: ["provider.aws"],
    info: "A region does not block all public sharing of EBS snapshots.",
    explanation: "A public snapshot can be restored by any AWS account, with whatever data the volume held; the account-wide block in block-all-sharing mode refuses new public sharing and treats snapshots shared before as private.",
    fix: `Add an aws_ebs_snapshot_block_public_access with state = "${PUBLIC_SHARING_BLOCKS.snapshotState}" in every region (RegionalGuardrails does).`,
    fsbp: ["EC2.182"],
    check: (provider, stack) =>
      regionHas(
        stack,
        provider,
        "aws_ebs_snapshot_block_public_access",
        (r) => (r.body.state === PUBLIC_SHARING_BLOCKS.snapshotState ? PASS : fail(`state is ${r.body.state}, not ${PUBLIC_SHARING_BLOCKS.snapshotState}: snapshots shared before stay public`)),
        "no aws_ebs_snapshot_block_public_access",
      ),
  },
  {
    id: "EC2.ImageBlockPublicAccess",
    appliesTo: ["provider.aws"],
    info: "A region does not block public sharing of AMIs.",
    explanation: "An AMI made public can be launched by any AWS account, with the software, keys and data baked into it; the account-wide block refuses making new ones public.",
    fix: `Add an aws_ec2_image_block_public_access with state = "${PUBLIC_SHARING_BLOCKS.imageState}" in every region (RegionalGuardrails does).`,
    fsbp: [],
    check: (provider, stack) =>
      regionHas(
        stack,
        provider,
        "aws_ec2_image_block_public_access",
        (r) => (r.body.state === PUBLIC_SHARING_BLOCKS.imageState ? PASS : fail(`state is ${r.body.state}, not ${PUBLIC_SHARING_BLOCKS.imageState}`)),
        "no aws_ec2_image_block_public_access",
      ),
  },
  {
    id: "SSM.DocumentPublicSharingBlocked",
    appliesTo: ["provider.aws"],
    info: "A region allows SSM documents to be shared publicly.",
    explanation: "A public SSM document shows its commands, parameters and often names of resources to every AWS account; the block refuses public sharing for the account in the region.",
    fix: `Add an aws_ssm_service_setting for ${PUBLIC_SHARING_BLOCKS.ssmDocumentSetting} with setting_value = "${PUBLIC_SHARING_BLOCKS.ssmDocumentValue}" in every region (RegionalGuardrails does).`,
    fsbp: ["SSM.7"],
    check: (provider, stack) => ssmSettingIs(provider, stack, PUBLIC_SHARING_BLOCKS.ssmDocumentSetting, PUBLIC_SHARING_BLOCKS.ssmDocumentValue),
  },
  {
    id: "SSM.AutomationLogging",
    appliesTo: ["provider.aws"],
    info: "A region does not send SSM Automation's script output to CloudWatch Logs.",
    explanation: "Automation runbooks' aws:executeScript steps run code with the runbook's role; without the log their output, and what they did, is lost once the execution history expires.",
    fix: `Add an aws_ssm_service_setting for ${SSM_AUTOMATION_LOGGING.setting} with setting_value = "${SSM_AUTOMATION_LOGGING.value}" in every region (RegionalGuardrails does).`,
    fsbp: ["SSM.6"],
    check: (provider, stack) => ssmSettingIs(provider, stack, SSM_AUTOMATION_LOGGING.setting, SSM_AUTOMATION_LOGGING.value),
  },
  {
    id: "Account.SecurityContact",
    appliesTo: ["stack"],
    info: "The account has no security alternate contact.",
    explanation: "AWS writes to the security contact about abuse reports, compromised credentials and security notices; without one they go to the root e-mail address only, which often nobody reads.",
    fix: `Set securityContact (name, title, email, phone): the account stack then declares an aws_account_alternate_contact with alternate_contact_type = "${SECURITY_CONTACT_TYPE}".`,
    fsbp: ["Account.1"],
    check(_stack, stack) {
      const contacts = stack.ofType("aws_account_alternate_contact").filter((contact) => contact.body.alternate_contact_type === SECURITY_CONTACT_TYPE);
      return contacts.length > 0 ? PASS : fail(`no aws_account_alternate_contact of type ${SECURITY_CONTACT_TYPE}`);
    },
  },
];
