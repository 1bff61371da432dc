/**
 * A local AWS API emulator (moto 5.1.22) for applying the stack for real without an account:
 * found on this machine, started on a free loopback port, stopped by its process group.
 */
import { ChildProcess, spawn } from "child_process";
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { basename, delimiter, dirname, join } from "path";

export const EMULATOR_ENV = "TAP_MOTO_SERVER";
export const EMULATOR_VERSION = "5.1.22";
/** The moto versions the tiers support: the pinned one up to the next minor after this machine's 5.2.1. */
export const EMULATOR_SUPPORTED = { from: "5.1.22", below: "5.3.0" } as const;
export const EMULATOR_INSTALL_HINT = `pip install 'moto[server]==${EMULATOR_VERSION}'`;
/** The account moto answers as. */
export const EMULATOR_ACCOUNT_ID = "123456789012";
/** The copy beside the checkout on tap's build machines (see ../shared/README.md). */
const SHARED_COPY = join(projectRoot(), "..", "shared", "tools", "moto", "moto-server");

/** The checkout's root: the nearest folder above this file (source or compiled) with a package.json. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The provider `endpoints` keys of every service the stack calls. Extend it when a construct
 * starts using a new service: an unlisted one would reach real AWS (and fail on fake keys).
 */
export const EMULATED_SERVICES = [
  "accessanalyzer",
  // The security alternate contact (PutAlternateContact, GetAlternateContact, DeleteAlternateContact).
  "account",
  "apigateway",
  "cloudtrail",
  "cloudwatch",
  "configservice",
  "ec2",
  // EventBridge: the rule that sends Security Hub's findings to the security topic.
  "events",
  "guardduty",
  "iam",
  "kms",
  "logs",
  "organizations",
  "s3",
  "s3control",
  "securityhub",
  "sns",
  "sts",
] as const;

/** How to run an emulator found on this machine. */
export interface EmulatorCommand {
  readonly path: string;
  /** The arguments that serve on `port`: `moto_server` (pip) takes `-p`, tap's offline wrapper a bare port. */
  readonly args: (port: number) => string[];
  /** Where it was found, for messages. */
  readonly source: string;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

function commandFor(path: string, source: string): EmulatorCommand {
  const pip = basename(path) === "moto_server";
  return { path, source, args: (port) => (pip ? ["-H", "127.0.0.1", "-p", String(port)] : [String(port)]) };
}

/**
 * The emulator: `$TAP_MOTO_SERVER`, else `moto_server` on PATH, else the copy beside the
 * checkout. Undefined when there is none.
 */
export function findEmulator(env: NodeJS.ProcessEnv = process.env): EmulatorCommand | undefined {
  const given = env[EMULATOR_ENV];
  if (given) {
    if (!existsSync(given)) throw new Error(`${EMULATOR_ENV}="${given}" does not exist; point it at moto_server (${EMULATOR_INSTALL_HINT}) or unset it`);
    return commandFor(given, EMULATOR_ENV);
  }
  const fromPath = onPath("moto_server", env);
  if (fromPath) return commandFor(fromPath, "PATH");
  return existsSync(SHARED_COPY) ? commandFor(SHARED_COPY, "../shared/tools/moto") : undefined;
}

/** What to say when no emulator is found. */
export function emulatorMissingMessage(): string {
  return `no AWS emulator found: set ${EMULATOR_ENV} to moto_server, put moto_server on PATH, or install it with ${EMULATOR_INSTALL_HINT}`;
}

/**
 * The emulator's environment: none of the caller's AWS settings (a profile that does not exist
 * makes moto's own sessions fail and every EC2 and KMS call answer 500), no proxy, and AWS's
 * managed IAM policies loaded (moto creates them only when asked; the stack attaches several).
 */
function emulatorEnvironment(userBase: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    // PYTHONNOUSERSITE would keep tap's extensions (a usercustomize module) out.
    if (/^AWS_/.test(name) || /^https?_proxy$/i.test(name) || name === "PYTHONNOUSERSITE") delete env[name];
  }
  return { ...env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", PYTHONDONTWRITEBYTECODE: "1", PYTHONUSERBASE: userBase };
}

/** tap's moto extensions (scripts/terraform/moto-extensions), loaded into the emulator's Python. */
export const EMULATOR_EXTENSIONS_DIR = join(projectRoot(), "scripts", "terraform", "moto-extensions");

/**
 * A Python user base whose usercustomize loads tap's moto extensions: Python runs it at start
 * in every interpreter (the wrapper script of ../shared sets PYTHONPATH itself, so the extensions
 * cannot come that way). One site-packages per Python minor version, as the interpreter's
 * version is not known before it starts.
 */
function extensionsUserBase(base: string = mkdtempSync(join(tmpdir(), "tap-moto-extensions-"))): string {
  const loader = `import sys\nsys.path.insert(0, ${JSON.stringify(EMULATOR_EXTENSIONS_DIR)})\nimport tap_moto_extensions\n`;
  for (let minor = 8; minor <= 16; minor++) {
    const site = join(base, "lib", `python3.${minor}`, "site-packages");
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, "usercustomize.py"), loader);
  }
  return base;
}

/** A running emulator; `stop` ends it and everything it started. */
export interface RunningEmulator {
  readonly url: string;
  readonly pid: number;
  /** The moto version that runs, as tap's extensions report it. */
  readonly version: string;
  stop(): Promise<void>;
}

/** Compares dotted versions numerically: negative when a < b. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(".").map((part) => parseInt(part, 10) || 0));
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * Why the emulator's version will not do, or undefined when it is supported. Undefined `version`
 * means tap's extensions did not load (they report it), so the tier would not test what it claims.
 */
export function emulatorVersionProblem(version: string | undefined, command: string): string | undefined {
  if (version === undefined) {
    return `the emulator (${command}) did not load tap's moto extensions (scripts/terraform/moto-extensions), which report its version: is Python's user site turned off (PYTHONNOUSERSITE, python -s)?`;
  }
  if (compareVersions(version, EMULATOR_SUPPORTED.from) >= 0 && compareVersions(version, EMULATOR_SUPPORTED.below) < 0) return undefined;
  return `the emulator (${command}) is moto ${version}; the tiers support moto from ${EMULATOR_SUPPORTED.from} below ${EMULATOR_SUPPORTED.below}: ${EMULATOR_INSTALL_HINT}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Signals that end this process and must not leave the emulator running. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Stops the whole process group (the wrapper script and the Python server under it). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts the emulator on a free loopback port and waits until it answers. It runs in its own
 * process group, stopped by `stop()`, and also when this process exits, so a failing test
 * leaves nothing running. With `keepIn` (a folder), it outlives this process instead (the
 * emulator target of npm run plan, which npm run apply reuses): its log and Python user base
 * stay in that folder, and it ends with stopEmulatorProcess.
 */
export async function startEmulator(command: EmulatorCommand, options: { timeoutMs?: number; logFile?: string; keepIn?: string } = {}): Promise<RunningEmulator> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const kept = options.keepIn;
  if (kept) mkdirSync(kept, { recursive: true });
  const userBase = kept ? extensionsUserBase(join(kept, "python")) : extensionsUserBase();
  const logFile = kept ? join(kept, "emulator.log") : options.logFile;
  // A kept emulator writes straight into its log file: a pipe would end with this process.
  const logFd = kept ? openSync(logFile!, "a") : undefined;
  const child = spawn(command.path, command.args(port), { detached: true, stdio: ["ignore", "ignore", logFd ?? "pipe"], env: emulatorEnvironment(userBase) });
  if (logFd !== undefined) closeSync(logFd);
  if (!kept) child.once("exit", () => rmSync(userBase, { recursive: true, force: true }));
  // The emulator's own log (its tracebacks explain its 500s): kept in a file when asked, else the last part in memory.
  const log = !kept && options.logFile ? createWriteStream(options.logFile) : undefined;
  const stderr: Buffer[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    log?.write(chunk);
    stderr.push(chunk);
    if (stderr.length > 200) stderr.shift();
  });
  const logText = () => (kept ? readFileSync(logFile!, "utf8") : Buffer.concat(stderr).toString("utf8"));
  // The emulator has its own process group, so Ctrl-C in a terminal does not reach it: stop it when
  // this process exits or is interrupted, then let the signal end this process as it would have.
  const exitHook = () => killGroup(child, "SIGKILL");
  const signalHook = (signal: NodeJS.Signals) => {
    unhook();
    killGroup(child, "SIGKILL");
    process.kill(process.pid, signal);
  };
  const unhook = () => {
    process.removeListener("exit", exitHook);
    for (const signal of STOP_SIGNALS) process.removeListener(signal, signalHook);
  };
  process.once("exit", exitHook);
  for (const signal of STOP_SIGNALS) process.once(signal, signalHook);
  let exited = false;
  child.once("exit", () => (exited = true));
  const stop = async () => {
    unhook();
    if (exited) return;
    const gone = new Promise<void>((done) => child.once("exit", () => done()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the emulator (${command.path}) exited before answering:\n${logText()}`);
    if (await answers(url)) {
      const version = /tap moto extensions: moto (\S+)/.exec(logText())?.[1];
      const problem = emulatorVersionProblem(version, command.path);
      if (problem) {
        await stop();
        throw new Error(problem);
      }
      if (kept) {
        // From here on it is on its own: no hook ends it with this process.
        unhook();
        child.unref();
        return { url, pid: child.pid!, version: version!, stop: () => stopEmulatorProcess(child.pid!) };
      }
      return { url, pid: child.pid!, version: version!, stop };
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
  await stop();
  throw new Error(`the emulator (${command.path}) did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** True when an emulator answers at `url` (moto's own API). */
export function emulatorAnswers(url: string): Promise<boolean> {
  return answers(url);
}

/**
 * Ends an emulator started with `keepIn` by another process: its process group (the wrapper
 * script and the Python server under it), SIGTERM, then SIGKILL after five seconds.
 */
export async function stopEmulatorProcess(pid: number): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  const deadline = Date.now() + 5_000;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 100));
  if (isRunning(pid)) signalGroup("SIGKILL");
  while (isRunning(pid)) await new Promise((wait) => setTimeout(wait, 100));
}

/** Headers of a request signed for `service` in `region` (the emulator reads the scope, not the signature), as the caller whose access key is `accessKeyId` (the emulator's account by default). */
export function signedBy(service: string, region: string, accessKeyId = "AKIAFAKEFORTESTS0000"): Record<string, string> {
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  return {
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
    "x-amz-date": date,
  };
}

/**
 * An S3 request to the emulator at `url`, as a signed-in caller: moto does not verify signatures
 * but treats requests without one as anonymous.
 */
export function emulatorS3(url: string, method: string, path: string, body?: string): Promise<Response> {
  return fetch(`${url}/${path}`, { method, body, headers: { ...signedBy("s3", "us-east-1"), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
}

/**
 * After bootstrap on the emulator: the state bucket's TLS-only policy lifted, so that Terraform's
 * S3 backend can reach it over the emulator's plain HTTP (EMULATOR_PLAIN_HTTP).
 */
export async function liftStateBucketPolicy(url: string, bucket: string): Promise<void> {
  const response = await emulatorS3(url, "DELETE", `${bucket}?policy`);
  if (response.status !== 204) throw new Error(`DeleteBucketPolicy ${bucket} (${EMULATOR_PLAIN_HTTP}): the emulator answered ${response.status}, expected 204`);
}

/** True when a process with this id still runs (for tests that check nothing is left behind). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resource types moto (5.1.22 and 5.2.1, with tap's extensions) cannot create or read back. The apply tier plans them with the rest
 * (so the real provider still checks them) but applies the stack without them, and says how many
 * it left out. Remove an entry only when the emulator gains the API; the tier then applies it.
 */
export const EMULATOR_UNSUPPORTED: Readonly<Record<string, string>> = {
  aws_accessanalyzer_analyzer: "moto has no IAM Access Analyzer API (CreateAnalyzer answers 500)",
  aws_s3_account_public_access_block:
    "the SDK sends S3 Control requests to <account id>.<endpoint host>, which an emulator on a loopback IP address cannot serve",
  aws_securityhub_account: "moto answers EnableSecurityHub but not UpdateSecurityHubConfiguration, which the provider calls for enable_default_standards",
  aws_securityhub_standards_subscription: "moto has no BatchEnableStandards, so no standard can be subscribed",
  aws_securityhub_organization_admin_account: "moto answers EnableOrganizationAdminAccount but has no ListOrganizationAdminAccounts, which the provider waits on (404)",
  aws_securityhub_finding_aggregator: "moto has no CreateFindingAggregator (404)",
  aws_securityhub_organization_configuration:
    "moto's UpdateOrganizationConfiguration needs the administrator designated, which aws_securityhub_organization_admin_account cannot do here (see above)",
  aws_securityhub_configuration_policy: "moto has no CreateConfigurationPolicy (Security Hub central configuration)",
  aws_securityhub_configuration_policy_association: "moto has no StartConfigurationPolicyAssociation (Security Hub central configuration)",
  aws_guardduty_organization_configuration: "moto has no UpdateOrganizationConfiguration for GuardDuty (404), so auto-enable cannot be set",
  aws_guardduty_detector_feature:
    "moto's UpdateDetector replaces the detector's whole feature list with the request's (AWS merges it), and the provider sends one feature per resource, so every feature but the last is gone at the next read",
  aws_guardduty_organization_configuration_feature: "moto has no UpdateOrganizationConfiguration for GuardDuty (404), so no plan can be auto-enabled for members",
  aws_ebs_snapshot_block_public_access: "moto's EC2 has no EnableSnapshotBlockPublicAccess nor GetSnapshotBlockPublicAccessState, so the block cannot be set or read back",
  aws_ec2_image_block_public_access: "moto's EC2 has no EnableImageBlockPublicAccess nor GetImageBlockPublicAccessState, so the block cannot be set or read back",
  aws_ssm_service_setting: "moto's SSM has no UpdateServiceSetting nor GetServiceSetting, so the document sharing block and the Automation log destination cannot be set or read back",
  aws_iam_organizations_features: "moto has no EnableOrganizationsRootCredentialsManagement or EnableOrganizationsRootSessions (IAM centralized root access)",
};

/**
 * tap's extensions of moto (scripts/terraform/moto-extensions/tap_moto_extensions.py), by the name
 * of their patch: each makes one AWS operation answer as AWS does. A unit test keeps this list and
 * the patches the same; __tests__/apply/emulator-extensions.test.ts exercises each.
 */
export const EMULATOR_EXTENSIONS: Readonly<Record<string, string>> = {
  config_service_linked_role_name: "CreateServiceLinkedRole for config.amazonaws.com makes AWSServiceRoleForConfig, as AWS names it (moto: AWSServiceRoleForconfig), so an existing one can be adopted by its ARN",
  trail_operations_by_arn: "StartLogging, StopLogging and DeleteTrail take the trail's ARN, which the provider passes (moto: the name only)",
  guardduty_tags_routes: "routes GuardDuty's /tags/{resourceArn} requests (moto: 404), for guardduty_tagging",
  guardduty_tagging: "TagResource, UntagResource and ListTagsForResource on a GuardDuty detector by its ARN (moto: none), so a detector's tags can change",
  ebs_default_kms_key_reads: "GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId (moto: only ModifyEbsDefaultKmsKeyId), so the default key can be read back and reset on destroy",
  logging_grant_beside_wildcard_principals:
    'PutBucketLogging finds S3 logging\'s grant in a target policy that also has statements whose Principal is "*", as the TLS denials of every tap bucket are (moto: reads every Principal as a map and answers 500)',
  recorder_with_empty_exclusion: "PutConfigurationRecorder takes an empty exclusionByResourceTypes with allSupported, which the provider sends when it updates a recorder it read back, such as an adopted one (moto: InvalidRecordingGroupException)",
  delegated_administrator_services:
    "RegisterDelegatedAdministrator takes config.amazonaws.com, which AWS Config's organization aggregator needs (https://docs.aws.amazon.com/config/latest/developerguide/aggregated-register-delegated-administrator.html; moto: unrecognized service principal)",
  trusted_access_for_iam:
    "EnableAWSServiceAccess takes iam.amazonaws.com, the trusted access centralized root access needs (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html; moto: unrecognized service principal)",
  guardduty_delegation_enables_administrator:
    "EnableOrganizationAdminAccount enables GuardDuty (a detector) in the administrator account in that Region, as AWS's guide describes (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html), and CreateDetector refuses a second detector of an account and Region (moto: neither), so the security account meets the detector delegation made; designated again, the administrator is listed once (moto: twice)",
  trusted_access_for_guardduty_malware_protection:
    "EnableAWSServiceAccess takes malware-protection.guardduty.amazonaws.com, GuardDuty's second service principal, which the organization trusts for Malware Protection for EC2 (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-guardduty.html; moto: unrecognized service principal)",
  config_role_with_trusted_access:
    "EnableAWSServiceAccess for config.amazonaws.com creates AWSServiceRoleForConfig in the organization's member accounts, as AWS Organizations documents (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-config.html; moto: none), so a member adopts it",
};

/**
 * Resource types moto creates and reads back but cannot delete. The tier removes them from state
 * before `destroy` (counted in its output) so the rest of the destroy is still exercised.
 */
export const EMULATOR_UNDELETABLE: Readonly<Record<string, string>> = {
  aws_guardduty_organization_admin_account: "moto has no DisableOrganizationAdminAccount for GuardDuty (404)",
  aws_api_gateway_account:
    "reset_on_delete sends UpdateAccount a patch operation without a value, which moto's API Gateway cannot handle (500)",
  aws_s3_bucket_versioning:
    "deleting it suspends versioning, after which moto's DeleteObjects fails (500) on the object versions force_destroy then deletes; left in place, the bucket's own deletion empties every version",
};

/**
 * The emulator serves plain HTTP, and moto enforces bucket policies: every tap bucket denies
 * requests without TLS (aws:SecureTransport false), so the tier's own S3 calls, and Terraform's S3
 * backend on the bootstrapped state bucket, run with that bucket's policy lifted. AWS's endpoints
 * are HTTPS only; the denial itself is proven by the rule pack and the service-access proofs.
 */
export const EMULATOR_PLAIN_HTTP = "the emulator serves plain HTTP, so a bucket that denies requests without TLS refuses every request to it";

/** One re-planned attribute difference the emulator causes, and how to see past it. */
export interface EmulatorDeviation {
  readonly reason: string;
  /** Rewrites a resource's before and after values so that only this deviation's difference disappears. */
  readonly normalize: (values: any) => any;
}

/**
 * Values moto stores differently from AWS, so that a second plan shows an update AWS would not.
 * The apply tier accepts a re-planned update only if, after these rewrites, before and after are
 * equal: any other difference still fails it.
 */
export const EMULATOR_DEVIATIONS: Readonly<Record<string, EmulatorDeviation>> = {
  aws_s3_bucket_notification: {
    reason: "moto stores the EventBridgeConfiguration element as an empty object and then treats it as absent, so eventbridge reads back false",
    normalize: (values) => ({ ...values, eventbridge: undefined }),
  },
  aws_s3_bucket_replication_configuration: {
    reason: "moto does not keep a rule's SourceSelectionCriteria, so sse_kms_encrypted_objects reads back empty",
    normalize: (values) => ({ ...values, rule: (values.rule ?? []).map((rule: any) => ({ ...rule, source_selection_criteria: undefined })) }),
  },
  aws_default_network_acl: {
    reason: "moto reads an entry's ICMP type and code from Icmp.* while the API sends IcmpTypeCode.*, so ICMP entries read back as type 0, code 0",
    normalize: (values) => {
      const entries = (list: any[] | undefined) =>
        (list ?? [])
          // Unset and zero values are the same to the provider's set hash; only the ICMP entry's type and code differ.
          .map((entry) => ({
            ...entry,
            ipv6_cidr_block: entry.ipv6_cidr_block || undefined,
            icmp_type: entry.protocol === "1" ? undefined : (entry.icmp_type ?? 0),
            icmp_code: entry.protocol === "1" ? undefined : (entry.icmp_code ?? 0),
          }))
          .sort((a, b) => a.rule_no - b.rule_no);
      return { ...values, ingress: entries(values.ingress), egress: entries(values.egress) };
    },
  },
};

type StackDocument = {
  resource?: Record<string, Record<string, { depends_on?: string[] }>>;
  output?: Record<string, { value: unknown }>;
  import?: { to: string }[];
  [key: string]: unknown;
};

/**
 * The stack without the resource types the emulator cannot handle: their blocks, the depends_on
 * entries naming them, the outputs that read them and the import blocks adopting them are removed. Returns what was left out.
 */
export function withoutUnsupported(stackJson: string): { stackJson: string; removed: string[]; removedOutputs: string[] } {
  const stack: StackDocument = JSON.parse(stackJson);
  const removed: string[] = [];
  for (const type of Object.keys(EMULATOR_UNSUPPORTED)) {
    for (const name of Object.keys(stack.resource?.[type] ?? {})) removed.push(`${type}.${name}`);
    delete stack.resource?.[type];
  }
  for (const byName of Object.values(stack.resource ?? {})) {
    for (const body of Object.values(byName)) {
      if (!body.depends_on) continue;
      body.depends_on = body.depends_on.filter((address) => !removed.includes(address));
      if (body.depends_on.length === 0) delete body.depends_on;
    }
  }
  const removedOutputs = Object.entries(stack.output ?? {})
    .filter(([, output]) => removed.some((address) => JSON.stringify(output.value).includes(`\${${address}.`)))
    .map(([name]) => name);
  for (const name of removedOutputs) delete stack.output![name];
  // An adoption of a left-out resource goes with it (Terraform refuses an import without its target).
  if (stack.import) {
    stack.import = stack.import.filter((block) => !removed.includes(block.to));
    if (stack.import.length === 0) delete stack.import;
  }
  return { stackJson: JSON.stringify(stack, null, 2), removed, removedOutputs };
}

/** Runs `terraform <args>` in one stack's folder; rejects with Terraform's output on a non-zero exit. */
export type StackTerraform = (args: string[]) => Promise<{ stdout: string }>;

/** AWS's answer to a revoke of a security group rule that is already gone. */
const ALREADY_REVOKED = /InvalidPermission\.NotFound/;

/**
 * `terraform destroy` of one stack on the emulator, after removing from state what the emulator
 * cannot delete (EMULATOR_UNDELETABLE; returned). Once in about five CI runs of the default
 * configuration the emulator answered a security group rule's revoke with
 * InvalidPermission.NotFound ("the specified rule does not exist") during destroy, though the rule
 * was in state. Such a failure is printed and the destroy run once more: its refresh drops a rule
 * that is really gone, and any other failure, or the same one again, still fails.
 */
export async function destroyOnEmulator(terraform: StackTerraform, warn: (line: string) => void = console.warn): Promise<string[]> {
  const listed = await terraform(["state", "list", "-no-color"]).catch((error: Error) => {
    if (/No state file was found/.test(error.message)) return { stdout: "" };
    throw error;
  });
  const undeletable = listed.stdout.split("\n").filter((address) => address.split(".")[0] in EMULATOR_UNDELETABLE);
  if (undeletable.length > 0) await terraform(["state", "rm", "-no-color", ...undeletable]);
  const destroy = () => terraform(["destroy", "-input=false", "-no-color", "-auto-approve"]);
  try {
    await destroy();
  } catch (error) {
    const message = (error as Error).message;
    if (!ALREADY_REVOKED.test(message)) throw error;
    warn(`destroy met a security group rule already revoked; destroyed once more:\n${message.split("\n").filter((line) => /Error:|NotFound/.test(line)).join("\n")}`);
    await destroy();
  }
  return undeletable;
}

/** npm run drift's rewrite on the emulator: its named deviations (EMULATOR_DEVIATIONS) are not drift. */
export function normalizeDeviations(type: string, values: any): any {
  return values && EMULATOR_DEVIATIONS[type] ? EMULATOR_DEVIATIONS[type].normalize(values) : values;
}
