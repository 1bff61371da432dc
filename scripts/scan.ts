/**
 * npm run scan: checkov over what tap synthesizes and over a real Terraform plan of it, for the
 * default and a production configuration. Fails on any finding that scripts/checkov-accepted.json
 * does not accept with a reason, and on an acceptance that no longer matches anything.
 *
 *   npm run scan                  both configurations, synthesized JSON and plan
 *   npm run scan -- --synth-only  the synthesized JSON only (no Terraform, provider mirror or emulator)
 *
 * The plan comes from `terraform plan` against a local AWS emulator (moto): a real plan, with the
 * configuration section checkov's graph checks need, and no AWS account.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../src/app/app";
import { loadConfig } from "../src/app/load-config";
import { CHECKOV_INSTALL_HINT, CHECKOV_VERSION, Checkov, CheckovFinding, findCheckov, runCheckov } from "./checkov";
import { EMULATOR_ACCOUNT_ID, emulatorMissingMessage, findEmulator, projectRoot, RunningEmulator, startEmulator } from "./terraform/emulator";
import { findProviderSource, TerraformWorkdir } from "./terraform/workdir";

/**
 * The configurations scanned: the defaults, production with every optional feature on, and the
 * example organization (its log-archive, management and security stacks and a member; synth
 * only: its plan needs the remote states of stacks not applied).
 */
export const SCAN_CONFIGURATIONS: readonly { name: string; env: Record<string, string>; file?: string; plan?: false }[] = [
  { name: "default", env: {} },
  {
    name: "production",
    env: {
      TAP_PROJECT: "acme",
      ENVIRONMENT_SUFFIX: "prod",
      TAP_REGIONS: "eu-west-1,ap-northeast-1",
      TAP_ALLOWED_SSH_CIDRS: "192.0.2.0/24",
      TAP_PASSWORD_REUSE_PREVENTION: "24",
      TAP_ALARM_EMAIL: "secops@example.com",
      TAP_TAGS: '{"CostCenter":"1234"}',
      // The emulator's account: names the state bucket, so the bootstrap stack is scanned too.
      TAP_ACCOUNT_ID: EMULATOR_ACCOUNT_ID,
    },
  },
  { name: "organization", env: {}, file: join(projectRoot(), "examples", "organization.tap.config.json"), plan: false },
];

export const ACCEPTED_FILE = join(projectRoot(), "scripts", "checkov-accepted.json");

export interface Acceptance {
  readonly check: string;
  readonly resources: string;
  readonly reason: string;
}

export function readAcceptances(file = ACCEPTED_FILE): Acceptance[] {
  const accepted: Acceptance[] = JSON.parse(readFileSync(file, "utf8")).accepted;
  for (const entry of accepted) {
    if (!/^CKV2?_AWS_\d+$/.test(entry.check) || !entry.reason || entry.reason.length < 20) throw new Error(`${file}: each entry needs a checkov id and a reason; got ${JSON.stringify(entry)}`);
    new RegExp(entry.resources);
  }
  return accepted;
}

/** One scanned document's findings, split into accepted and not. */
export interface TargetReport {
  readonly target: string;
  readonly passed: number;
  readonly accepted: readonly { finding: CheckovFinding; acceptance: Acceptance }[];
  readonly unaccepted: readonly CheckovFinding[];
}

export function classify(target: string, passed: number, findings: readonly CheckovFinding[], acceptances: readonly Acceptance[]): TargetReport {
  const accepted: TargetReport["accepted"][number][] = [];
  const unaccepted: CheckovFinding[] = [];
  for (const finding of findings) {
    const acceptance = acceptances.find((entry) => entry.check === finding.checkId && new RegExp(entry.resources).test(finding.resource));
    if (acceptance) accepted.push({ finding, acceptance });
    else unaccepted.push(finding);
  }
  return { target, passed, accepted, unaccepted };
}

/** The whole scan's verdict as text, and whether it passed. */
export function verdict(reports: readonly TargetReport[], acceptances: readonly Acceptance[]): { text: string; ok: boolean } {
  const lines = reports.map(
    (r) => `${r.target.padEnd(28)} ${String(r.passed).padStart(4)} passed  ${String(r.accepted.length + r.unaccepted.length).padStart(3)} failed  ${String(r.accepted.length).padStart(3)} accepted  ${r.unaccepted.length} not accepted`,
  );
  const unaccepted = reports.flatMap((r) => r.unaccepted.map((f) => `  ${r.target}: ${f.checkId} ${f.resource} (${f.checkName})`));
  const used = new Set(reports.flatMap((r) => r.accepted.map((a) => a.acceptance)));
  const stale = acceptances.filter((entry) => !used.has(entry));
  if (unaccepted.length > 0) lines.push("", "Findings not accepted (fix them, or accept one in scripts/checkov-accepted.json with its reason):", ...unaccepted);
  if (stale.length > 0) lines.push("", "Acceptances that match nothing (remove them):", ...stale.map((entry) => `  ${entry.check} ${entry.resources}`));
  const ok = unaccepted.length === 0 && stale.length === 0;
  lines.push("", ok ? `scan passed: every finding is an accepted one (${used.size} acceptances in use)` : "scan failed");
  return { text: lines.join("\n"), ok };
}

/**
 * The split layout's region stacks as one document, so one checkov run covers them all: their
 * resources and providers are disjoint (each region is in one stack), their lookups and the
 * account stack's remote state the same in each.
 */
export function mergedStacks(stacks: readonly Record<string, any>[]): Record<string, any> {
  const merged: Record<string, any> = { terraform: stacks[0]?.terraform, provider: { aws: [] }, resource: {}, data: {}, output: {} };
  for (const stack of stacks) {
    merged.provider.aws.push(...(stack.provider?.aws ?? []));
    for (const section of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries<Record<string, unknown>>(stack[section] ?? {})) merged[section][type] = { ...merged[section][type], ...byName };
    }
  }
  return merged;
}

async function scanConfiguration(checkov: Checkov, configuration: (typeof SCAN_CONFIGURATIONS)[number], acceptances: Acceptance[], emulator?: RunningEmulator): Promise<TargetReport[]> {
  const config = loadConfig(configuration.env, { file: configuration.file ?? null });
  const reports: TargetReport[] = [];
  const outdir = mkdtempSync(join(tmpdir(), "tap-scan-"));
  try {
    buildApp(config, outdir).app.synth();
    const json = await runCheckov(checkov, join(outdir, "stacks", config.stacks[0].stackName, "cdk.tf.json"));
    reports.push(classify(`${configuration.name} cdk.tf.json`, json.passed, json.failed, acceptances));
    const regionStacks = config.stacks[0].regionStacks.map((stack) => join(outdir, "stacks", stack.stackName, "cdk.tf.json"));
    if (regionStacks.length > 0) {
      const merged = join(outdir, "region-stacks.tf.json");
      writeFileSync(merged, JSON.stringify(mergedStacks(regionStacks.map((file) => JSON.parse(readFileSync(file, "utf8"))))));
      const regional = await runCheckov(checkov, merged);
      reports.push(classify(`${configuration.name} region stacks`, regional.passed, regional.failed, acceptances));
    }
    if (config.organization) {
      const { logArchive, management, security } = config.organization;
      const merged = join(outdir, "organization-stacks.tf.json");
      const names = [logArchive.name, management.stackName, security.name];
      writeFileSync(merged, JSON.stringify(mergedStacks(names.map((name) => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"))))));
      const organization = await runCheckov(checkov, merged);
      reports.push(classify(`${configuration.name} role stacks`, organization.passed, organization.failed, acceptances));
    }
    if (config.bootstrap) {
      const bootstrap = await runCheckov(checkov, join(outdir, "stacks", config.bootstrap.stackName, "cdk.tf.json"));
      reports.push(classify(`${configuration.name} bootstrap`, bootstrap.passed, bootstrap.failed, acceptances));
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (!emulator || configuration.plan === false) return reports;
  const workdir = TerraformWorkdir.synthesize(config, findProviderSource(), { emulatorUrl: emulator.url });
  try {
    await workdir.init();
    const { json } = await workdir.planToJson();
    const planFile = join(workdir.root, "plan.json");
    writeFileSync(planFile, JSON.stringify(json));
    const plan = await runCheckov(checkov, planFile);
    reports.push(classify(`${configuration.name} plan`, plan.passed, plan.failed, acceptances));
  } finally {
    workdir.dispose();
  }
  return reports;
}

async function main(argv: string[]): Promise<number> {
  const synthOnly = argv.includes("--synth-only");
  const checkov = findCheckov();
  if (!checkov) {
    console.error(`scan: checkov not found (TAP_CHECKOV, checkov on PATH, ../shared/tools/checkov). Install it: ${CHECKOV_INSTALL_HINT}`);
    return 2;
  }
  const emulatorCommand = synthOnly ? undefined : findEmulator();
  if (!synthOnly && !emulatorCommand) {
    console.error(`scan: ${emulatorMissingMessage()}; or scan the synthesized JSON only: npm run scan -- --synth-only`);
    return 2;
  }
  const acceptances = readAcceptances();
  console.log(`scan: checkov ${checkov.version ?? "(offline copy)"} from ${checkov.source}${emulatorCommand ? `; plans against moto from ${emulatorCommand.source}` : "; synthesized JSON only"}`);
  const emulator = emulatorCommand ? await startEmulator(emulatorCommand) : undefined;
  if (emulator) console.log(`scan: moto ${emulator.version} answered`);
  try {
    const reports: TargetReport[] = [];
    for (const configuration of SCAN_CONFIGURATIONS) reports.push(...(await scanConfiguration(checkov, configuration, acceptances, emulator)));
    const version = checkov.version ?? "";
    if (version && version !== CHECKOV_VERSION) console.log(`scan: note: checkov ${version} is not the ${CHECKOV_VERSION} the accepted list was written for; findings may differ`);
    const { text, ok } = verdict(reports, synthOnly ? acceptances.filter((entry) => reports.some((r) => r.accepted.some((a) => a.acceptance === entry))) : acceptances);
    console.log(text);
    return ok ? 0 : 1;
  } finally {
    await emulator?.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`scan: ${error.message}`);
      process.exit(2);
    },
  );
}
