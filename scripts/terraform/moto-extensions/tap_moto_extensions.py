"""
tap's extensions of the moto emulator, for the apply tier only: each makes moto answer one AWS
operation the way AWS does, where moto 5.1.22 and 5.2.1 do not, so that more of the stack applies
on the emulator. Loaded into the emulator's Python at start (usercustomize, see emulator.ts), each
patch runs right after moto loads the module it changes. Every patch names what AWS does and has a
test in __tests__/apply/emulator-extensions.test.ts; nothing here is shipped.
"""
import importlib.abc
import sys

_HOOKS = {}
APPLIED = []


def _after_import(module_name, function):
    _HOOKS.setdefault(module_name, []).append(function)


def patch(module_name):
    """Registers an extension: it runs right after moto loads `module_name`, and says so on stderr."""

    def register(function):
        def apply(module):
            function(module)
            APPLIED.append(function.__name__)
            sys.stderr.write(f"tap moto extension: {function.__name__}\n")

        _after_import(module_name, apply)
        return function

    return register


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds a hooked module with the other finders, then runs its hooks once it has loaded."""

    def find_spec(self, name, path, target=None):
        if name not in _HOOKS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        load = loader.exec_module

        def exec_module(module):
            load(module)
            for hook in _HOOKS[name]:
                hook(module)

        loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AfterImport())

# Which moto runs, for the tiers to check against the versions they support (emulator.ts reads this line).
_after_import("moto", lambda moto: sys.stderr.write(f"tap moto extensions: moto {moto.__version__}\n"))


@patch("moto.iam.models")
def config_service_linked_role_name(models):
    """CreateServiceLinkedRole for config.amazonaws.com makes AWSServiceRoleForConfig (moto: ...Forconfig)."""
    models.SERVICE_NAME_CONVERSION.setdefault("config", "Config")


@patch("moto.cloudtrail.models")
def trail_operations_by_arn(models):
    """StartLogging, StopLogging and DeleteTrail take a trail's name or ARN (moto: the name only)."""
    backend = models.CloudTrailBackend
    delete = backend.delete_trail

    def name_of(self, name_or_arn):
        return next((name for name, trail in self.trails.items() if trail.arn == name_or_arn), name_or_arn)

    backend.start_logging = lambda self, name: self.get_trail(name).start_logging()
    backend.stop_logging = lambda self, name: self.get_trail(name).stop_logging()
    backend.delete_trail = lambda self, name: delete(self, name_of(self, name))


@patch("moto.config.models")
def recorder_with_empty_exclusion(models):
    """PutConfigurationRecorder takes an empty exclusionByResourceTypes with allSupported, as AWS does.

    The provider sends one ({} on the wire) when it updates a recorder it has read back, such as
    an adopted one; moto accepts only {"resourceTypes": []} and answers InvalidRecordingGroupException.
    """
    backend = models.ConfigBackend
    put = backend.put_configuration_recorder

    def put_configuration_recorder(self, config_recorder):
        group = config_recorder.get("recordingGroup") or {}
        if group.get("exclusionByResourceTypes") == {}:
            group["exclusionByResourceTypes"] = {"resourceTypes": []}
        return put(self, config_recorder)

    backend.put_configuration_recorder = put_configuration_recorder


@patch("moto.guardduty.urls")
def guardduty_tags_routes(urls):
    """Routes /tags/{resourceArn} to GuardDuty (moto: 404), for guardduty_tagging below."""
    urls.url_paths["{0}/tags/(?P<resource_arn>.+)$"] = urls.GuardDutyResponse.dispatch


@patch("moto.guardduty.responses")
def guardduty_tagging(responses):
    """TagResource, UntagResource and ListTagsForResource on a detector, by its ARN (moto: none)."""
    import json
    from urllib.parse import unquote

    def detector_of(self):
        arn = unquote(self.path.split("/tags/", 1)[1])
        return self.guardduty_backend.get_detector(arn.rsplit("/", 1)[-1])

    def tag_resource(self):
        detector_of(self).tags.update(self._get_param("tags") or {})
        return "{}"

    def untag_resource(self):
        detector = detector_of(self)
        for key in self.querystring.get("tagKeys", []):
            detector.tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self):
        return json.dumps({"tags": detector_of(self).tags})

    responses.GuardDutyResponse.tag_resource = tag_resource
    responses.GuardDutyResponse.untag_resource = untag_resource
    responses.GuardDutyResponse.list_tags_for_resource = list_tags_for_resource


@patch("moto.ec2.responses.elastic_block_store")
def ebs_default_kms_key_reads(responses):
    """GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId (moto: only ModifyEbsDefaultKmsKeyId)."""

    def get_ebs_default_kms_key_id(self):
        self.error_on_dryrun()
        backend = self.ec2_backend
        return responses.ActionResult({"KmsKeyId": backend.default_kms_key_id or backend._create_default_encryption_key()})

    def reset_ebs_default_kms_key_id(self):
        self.error_on_dryrun()
        return responses.ActionResult({"KmsKeyId": self.ec2_backend._create_default_encryption_key()})

    responses.ElasticBlockStore.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id
    responses.ElasticBlockStore.reset_ebs_default_kms_key_id = reset_ebs_default_kms_key_id


@patch("moto.s3.models")
def logging_grant_beside_wildcard_principals(models):
    """PutBucketLogging finds S3 logging's grant in a target policy that also has statements with
    Principal "*" (a TLS denial), as AWS does (moto: reads every Principal as a map and answers 500)."""
    import json

    original = models.FakeBucket._log_permissions_enabled_policy

    def check(target_bucket, target_prefix):
        policy = target_bucket.policy
        if not policy:
            return original(target_bucket, target_prefix)
        document = json.loads(policy.decode())
        document["Statement"] = [s for s in document.get("Statement", []) if isinstance(s.get("Principal"), dict)]
        target_bucket.policy = json.dumps(document).encode()
        try:
            return original(target_bucket, target_prefix)
        finally:
            target_bucket.policy = policy

    models.FakeBucket._log_permissions_enabled_policy = staticmethod(check)


@patch("moto.organizations.models")
def delegated_administrator_services(models):
    """RegisterDelegatedAdministrator takes config.amazonaws.com, as AWS does for AWS Config's
    organization aggregator (moto: only config-multiaccountsetup.amazonaws.com of AWS Config's)."""
    supported = models.FakeDelegatedAdministrator.SUPPORTED_SERVICES
    if "config.amazonaws.com" not in supported:
        supported.append("config.amazonaws.com")


@patch("moto.organizations.models")
def trusted_access_for_iam(models):
    """EnableAWSServiceAccess takes iam.amazonaws.com, which centralized root access for member
    accounts needs (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html;
    moto: unrecognized service principal)."""
    trusted = models.FakeServiceAccess.TRUSTED_SERVICES
    if "iam.amazonaws.com" not in trusted:
        trusted.append("iam.amazonaws.com")


@patch("moto.guardduty.models")
def guardduty_delegation_enables_administrator(models):
    """EnableOrganizationAdminAccount enables GuardDuty in the administrator account, in that
    Region only ("For this administrator account, GuardDuty gets enabled automatically only in the
    designated AWS Region": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html),
    and CreateDetector refuses a second detector of an account and Region, as AWS does
    (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html; moto: neither)."""
    from moto.core.exceptions import JsonRESTError

    backend = models.GuardDutyBackend
    create = backend.create_detector
    enable_admin = backend.enable_organization_admin_account

    class DetectorAlreadyExists(JsonRESTError):
        code = 400

        def __init__(self):
            super().__init__("BadRequestException", "The request is rejected because a detector already exists for the current account.")

    def create_detector(self, *args, **kwargs):
        if self.detectors:
            raise DetectorAlreadyExists()
        return create(self, *args, **kwargs)

    def enable_organization_admin_account(self, admin_account_id):
        # Designating the administrator again lists it once, as AWS does (moto appends it again).
        if admin_account_id not in getattr(self, "admin_account_ids", []):
            enable_admin(self, admin_account_id)
        administrator = models.guardduty_backends[admin_account_id][self.region_name]
        if not administrator.detectors:
            create(administrator, True, "SIX_HOURS", {}, {}, [])

    backend.create_detector = create_detector
    backend.enable_organization_admin_account = enable_organization_admin_account


@patch("moto.organizations.models")
def trusted_access_for_guardduty_malware_protection(models):
    """EnableAWSServiceAccess takes malware-protection.guardduty.amazonaws.com, GuardDuty's second
    service principal (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-guardduty.html;
    moto: unrecognized service principal)."""
    trusted = models.FakeServiceAccess.TRUSTED_SERVICES
    if "malware-protection.guardduty.amazonaws.com" not in trusted:
        trusted.append("malware-protection.guardduty.amazonaws.com")


@patch("moto.organizations.models")
def config_role_with_trusted_access(models):
    """EnableAWSServiceAccess for config.amazonaws.com creates AWSServiceRoleForConfig in the
    organization's member accounts, as AWS Organizations documents ("created in your
    organization's accounts when you enable trusted access",
    https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-config.html;
    moto: none). The management account is left as it was: whether AWS creates the role there
    too is not documented apart."""
    backend = models.OrganizationsBackend
    enable = backend.enable_aws_service_access

    def enable_aws_service_access(self, **kwargs):
        enable(self, **kwargs)
        if kwargs.get("ServicePrincipal") != "config.amazonaws.com" or self.org is None:
            return
        from moto.iam.models import iam_backends

        for account in self.accounts:
            if account.id == self.org.master_account_id:
                continue
            iam = iam_backends[account.id][self.partition]
            if not any(role.name == "AWSServiceRoleForConfig" for role in iam.roles.values()):
                iam.create_service_linked_role("config.amazonaws.com", "", "")

    backend.enable_aws_service_access = enable_aws_service_access
