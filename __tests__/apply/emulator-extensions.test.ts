import { EMULATOR_ACCOUNT_ID } from "../../scripts/terraform/emulator";
import { APPLY_TIER, describeIfTier } from "../tiers";
import { useEmulatedDeployment } from "./deployment";

const CLOUDTRAIL = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
const CONFIG = "StarlingDoveService";

/**
 * Each of tap's moto extensions (scripts/terraform/moto-extensions), operation by operation:
 * the emulator now answers as AWS does. If the extensions did not load, these fail first.
 */
describeIfTier([APPLY_TIER], "apply tier: tap's emulator extensions answer as AWS does", () => {
  const emulated = useEmulatedDeployment();

  test("CreateServiceLinkedRole for AWS Config makes AWSServiceRoleForConfig", async () => {
    const answer = await emulated.deployment.awsQuery("iam", "2010-05-08", { Action: "CreateServiceLinkedRole", AWSServiceName: "config.amazonaws.com" });
    expect(answer).toContain(`<Arn>arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig</Arn>`);
  });

  test("StartLogging, StopLogging and DeleteTrail take the trail's ARN", async () => {
    const { deployment } = emulated;
    expect((await deployment.s3("PUT", "trail-bucket")).status).toBe(200);
    const { TrailARN: arn } = await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.CreateTrail`, { Name: "trail", S3BucketName: "trail-bucket" });
    await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.StartLogging`, { Name: arn });
    expect((await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.GetTrailStatus`, { Name: arn })).IsLogging).toBe(true);
    await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.StopLogging`, { Name: arn });
    expect((await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.GetTrailStatus`, { Name: arn })).IsLogging).toBe(false);
    await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.DeleteTrail`, { Name: arn });
    expect((await deployment.awsJson("cloudtrail", `${CLOUDTRAIL}.DescribeTrails`, {})).trailList).toEqual([]);
  });

  test("PutConfigurationRecorder takes an empty exclusionByResourceTypes with allSupported", async () => {
    const { deployment } = emulated;
    const recorder = { name: "default", roleARN: `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/config`, recordingGroup: { allSupported: true, exclusionByResourceTypes: {} } };
    await deployment.awsJson("config", `${CONFIG}.PutConfigurationRecorder`, { ConfigurationRecorder: recorder });
    const [stored] = (await deployment.awsJson("config", `${CONFIG}.DescribeConfigurationRecorders`, {})).ConfigurationRecorders;
    expect(stored.recordingGroup).toMatchObject({ allSupported: true, exclusionByResourceTypes: { resourceTypes: [] } });
  });

  test("Organizations: RegisterDelegatedAdministrator takes AWS Config's config.amazonaws.com", async () => {
    const { deployment } = emulated;
    const organizations = (operation: string, body: object) => deployment.awsJson("organizations", `AWSOrganizationsV20161128.${operation}`, body);
    await organizations("CreateOrganization", { FeatureSet: "ALL" });
    const { CreateAccountStatus: created } = await organizations("CreateAccount", { AccountName: "security", Email: "aws-security@example.com" });
    await organizations("EnableAWSServiceAccess", { ServicePrincipal: "config.amazonaws.com" });
    await organizations("RegisterDelegatedAdministrator", { AccountId: created.AccountId, ServicePrincipal: "config.amazonaws.com" });
    const { DelegatedServices: services } = await organizations("ListDelegatedServicesForAccount", { AccountId: created.AccountId });
    expect(services.map((service: { ServicePrincipal: string }) => service.ServicePrincipal)).toEqual(["config.amazonaws.com"]);
  });

  test("Organizations: EnableAWSServiceAccess takes IAM's iam.amazonaws.com (centralized root access)", async () => {
    const { deployment } = emulated;
    const organizations = (operation: string, body: object) => deployment.awsJson("organizations", `AWSOrganizationsV20161128.${operation}`, body);
    await organizations("CreateOrganization", { FeatureSet: "ALL" }).catch(() => undefined);
    await organizations("EnableAWSServiceAccess", { ServicePrincipal: "iam.amazonaws.com" });
    const { EnabledServicePrincipals: enabled } = await organizations("ListAWSServiceAccessForOrganization", {});
    expect(enabled.map((service: { ServicePrincipal: string }) => service.ServicePrincipal)).toContain("iam.amazonaws.com");
  });

  test("Organizations: EnableAWSServiceAccess takes GuardDuty's malware-protection.guardduty.amazonaws.com", async () => {
    const { deployment } = emulated;
    const organizations = (operation: string, body: object) => deployment.awsJson("organizations", `AWSOrganizationsV20161128.${operation}`, body);
    await organizations("CreateOrganization", { FeatureSet: "ALL" }).catch(() => undefined);
    await organizations("EnableAWSServiceAccess", { ServicePrincipal: "malware-protection.guardduty.amazonaws.com" });
    const { EnabledServicePrincipals: enabled } = await organizations("ListAWSServiceAccessForOrganization", {});
    expect(enabled.map((service: { ServicePrincipal: string }) => service.ServicePrincipal)).toContain("malware-protection.guardduty.amazonaws.com");
  });

  test("Organizations: EnableAWSServiceAccess for AWS Config makes AWSServiceRoleForConfig in the member accounts", async () => {
    const { deployment } = emulated;
    const organizations = (operation: string, body: object) => deployment.awsJson("organizations", `AWSOrganizationsV20161128.${operation}`, body);
    await organizations("CreateOrganization", { FeatureSet: "ALL" }).catch(() => undefined);
    const { CreateAccountStatus: member } = await organizations("CreateAccount", { AccountName: "member", Email: "aws-member@example.com" });
    const roleIn = (account: string) => deployment.awsQuery("iam", "2010-05-08", { Action: "GetRole", RoleName: "AWSServiceRoleForConfig" }, "us-east-1", account);
    await expect(roleIn(member.AccountId)).rejects.toThrow(/NoSuchEntity/);
    await organizations("EnableAWSServiceAccess", { ServicePrincipal: "config.amazonaws.com" });
    expect(await roleIn(member.AccountId)).toContain(`<Arn>arn:aws:iam::${member.AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig</Arn>`);
  }, 60_000);

  test("GuardDuty: TagResource, UntagResource and ListTagsForResource on a detector", async () => {
    const { deployment } = emulated;
    const { detectorId } = await deployment.awsRest("guardduty", "POST", "/detector", { enable: true, tags: { Name: "first" } });
    const arn = encodeURIComponent(`arn:aws:guardduty:us-east-1:${EMULATOR_ACCOUNT_ID}:detector/${detectorId}`);
    await deployment.awsRest("guardduty", "POST", `/tags/${arn}`, { tags: { Name: "second", Team: "security" } });
    expect((await deployment.awsRest("guardduty", "GET", `/tags/${arn}`)).tags).toEqual({ Name: "second", Team: "security" });
    await deployment.awsRest("guardduty", "DELETE", `/tags/${arn}?tagKeys=Team`);
    expect((await deployment.awsRest("guardduty", "GET", `/detector/${detectorId}`)).tags).toEqual({ Name: "second" });
  });

  test("GuardDuty: designating the delegated administrator enables GuardDuty there in that Region only; a second detector is refused", async () => {
    const { deployment } = emulated;
    // The emulator's account designates itself in eu-west-1 (the tier acts as one caller); us-east-2 is left alone.
    const detectors = async (region: string) => (await deployment.awsRest("guardduty", "GET", "/detector", undefined, region)).detectorIds;
    expect(await detectors("eu-west-1")).toEqual([]);
    await deployment.awsRest("guardduty", "POST", "/admin/enable", { adminAccountId: EMULATOR_ACCOUNT_ID }, "eu-west-1");
    const [made] = await detectors("eu-west-1");
    expect(await detectors("eu-west-1")).toEqual([made]);
    expect((await deployment.awsRest("guardduty", "GET", `/detector/${made}`, undefined, "eu-west-1")).status).toBe("ENABLED");
    expect(await detectors("us-east-2")).toEqual([]);
    await expect(deployment.awsRest("guardduty", "POST", "/detector", { enable: true }, "eu-west-1")).rejects.toThrow(/400: .*a detector already exists for the current account/);
    // Designating again keeps the one detector.
    await deployment.awsRest("guardduty", "POST", "/admin/enable", { adminAccountId: EMULATOR_ACCOUNT_ID }, "eu-west-1");
    expect(await detectors("eu-west-1")).toEqual([made]);
  });

  test("EC2: GetEbsDefaultKmsKeyId reads what ModifyEbsDefaultKmsKeyId set; ResetEbsDefaultKmsKeyId goes back to aws/ebs", async () => {
    const { deployment } = emulated;
    const key = JSON.parse(JSON.stringify(await deployment.awsJson("kms", "TrentService.CreateKey", {}))).KeyMetadata.Arn;
    const ec2 = (action: string, parameters: Record<string, string> = {}) => deployment.awsQuery("ec2", "2016-11-15", { Action: action, ...parameters });
    await ec2("ModifyEbsDefaultKmsKeyId", { KmsKeyId: key });
    expect(await ec2("GetEbsDefaultKmsKeyId")).toContain(`<kmsKeyId>${key}</kmsKeyId>`);
    const reset = await ec2("ResetEbsDefaultKmsKeyId");
    expect(reset).not.toContain(key);
    expect(await ec2("GetEbsDefaultKmsKeyId")).not.toContain(key);
  });

  test("S3: PutBucketLogging finds the logging grant in a target policy that also denies plain HTTP to Principal \"*\"", async () => {
    const { deployment } = emulated;
    for (const bucket of ["logged-source", "log-target"]) expect((await deployment.s3("PUT", bucket)).status).toBe(200);
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::log-target", "arn:aws:s3:::log-target/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Sid: "S3ServerAccessLogs", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::log-target/s3/logged-source/*" },
      ],
    };
    expect([200, 204]).toContain((await deployment.s3("PUT", "log-target?policy", JSON.stringify(policy))).status);
    const logging = '<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled><TargetBucket>log-target</TargetBucket><TargetPrefix>s3/logged-source/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>';
    expect((await deployment.s3("PUT", "logged-source?logging", logging)).status).toBe(200);
    expect(await (await deployment.s3("GET", "logged-source?logging")).text()).toContain("<TargetPrefix>s3/logged-source/</TargetPrefix>");
    // Without the grant the target is still refused, as AWS refuses it.
    policy.Statement.pop();
    expect([200, 204]).toContain((await deployment.s3("PUT", "log-target?policy", JSON.stringify(policy))).status);
    const refused = await deployment.s3("PUT", "logged-source?logging", logging);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("InvalidTargetBucketForLogging");
  });
});
