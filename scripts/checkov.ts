/**
 * Runs checkov (the real scanner, version 3.3.13) over a synthesized stack or a plan and returns
 * its failed checks. Found from TAP_CHECKOV, then `checkov` on PATH, then the offline copy beside
 * the checkout; either checkov's own command line or that copy's wrapper works.
 */
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, delimiter, join } from "path";
import { projectRoot } from "./terraform/emulator";

export const CHECKOV_ENV = "TAP_CHECKOV";
export const CHECKOV_VERSION = "3.3.13";
export const CHECKOV_INSTALL_HINT = `pip install checkov==${CHECKOV_VERSION}`;

export interface Checkov {
  readonly path: string;
  /** "cli": checkov's own command line; "wrapper": `checkov FILE.json` of the offline copy. */
  readonly style: "cli" | "wrapper";
  /** The version it reports (the wrapper's is read from its results). */
  readonly version?: string;
  readonly source: string;
}

export interface CheckovFinding {
  readonly checkId: string;
  readonly checkName: string;
  /** Terraform address (`aws_s3_bucket.storage-us-east-1_data_bucket_2CFDDAAE`). */
  readonly resource: string;
}

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFinding[];
  readonly version: string;
}

/** The scanner, or undefined when none is installed. */
export function findCheckov(env: NodeJS.ProcessEnv = process.env): Checkov | undefined {
  const given = env[CHECKOV_ENV];
  const onPath = (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "checkov")).find(existsSync);
  const shared = join(projectRoot(), "..", "shared", "tools", "checkov", "checkov");
  const found: [string, string] | undefined = given ? [given, CHECKOV_ENV] : onPath ? [onPath, "PATH"] : existsSync(shared) ? [shared, "../shared/tools/checkov"] : undefined;
  if (!found) return undefined;
  const [path, source] = found;
  if (!existsSync(path)) throw new Error(`${CHECKOV_ENV}="${path}" does not exist; point it at checkov (${CHECKOV_INSTALL_HINT}) or unset it`);
  // checkov answers --version; the offline wrapper wants a file first and prints its usage instead.
  const probe = spawnSync(path, ["--version"], { encoding: "utf8" });
  const version = /^\d+\.\d+\.\d+/.exec((probe.stdout ?? "").trim())?.[0];
  return { path, source, version, style: version ? "cli" : "wrapper" };
}

/** checkov's JSON report: one object per framework, or a list of them. */
function findingsFrom(reportFile: string): CheckovResult {
  const raw = JSON.parse(readFileSync(reportFile, "utf8"));
  const reports: any[] = Array.isArray(raw) ? raw : [raw];
  return {
    passed: reports.reduce((sum, report) => sum + (report.summary?.passed ?? 0), 0),
    version: reports[0]?.summary?.checkov_version ?? "unknown",
    failed: reports.flatMap((report) =>
      (report.results?.failed_checks ?? []).map((check: any) => ({ checkId: check.check_id, checkName: check.check_name, resource: check.resource })),
    ),
  };
}

/**
 * checkov names some findings of a synthesized stack `resource.<name>` or `data.<name>`, without
 * the type; logical ids are unique in a cdktf stack, so the type is looked up to give the address.
 */
function typedAddress(document: { resource?: Record<string, object>; data?: Record<string, object> }, reported: string): string {
  const match = /^(resource|data)\.(.+)$/.exec(reported);
  if (!match) return reported;
  const [, kind, name] = match;
  const type = Object.entries((kind === "data" ? document.data : document.resource) ?? {}).find(([, byName]) => name in byName)?.[0];
  if (!type) return reported;
  return kind === "data" ? `data.${type}.${name}` : `${type}.${name}`;
}

/**
 * The document as checkov 3.3.13 can read it, and its framework. Its terraform_json parser crashes
 * on `terraform.required_version` (bridgecrewio/checkov#7454) and on the top-level `moved` and
 * `import` lists ("'list' object has no attribute 'items'"); none holds a security setting, so they
 * are left out of what it scans.
 */
export function checkovInput(document: Record<string, any>): { document: Record<string, any>; framework: "terraform_plan" | "terraform_json" } {
  if ("planned_values" in document || "resource_changes" in document) return { document, framework: "terraform_plan" };
  const { moved: _moved, import: _import, ...rest } = document;
  const terraform = rest.terraform ? { ...rest.terraform } : undefined;
  if (terraform) delete terraform.required_version;
  return { document: terraform ? { ...rest, terraform } : rest, framework: "terraform_json" };
}

/**
 * Scans one JSON file: a synthesized `cdk.tf.json` (framework terraform_json) or a
 * `terraform show -json` plan (terraform_plan).
 */
export async function runCheckov(checkov: Checkov, file: string): Promise<CheckovResult> {
  const work = mkdtempSync(join(tmpdir(), "tap-checkov-"));
  try {
    const { document, framework } = checkovInput(JSON.parse(readFileSync(file, "utf8")));
    const input = join(work, basename(file));
    writeFileSync(input, JSON.stringify(document));
    const report = join(work, "results_json.json");
    const [args, env] =
      checkov.style === "cli"
        ? [["-f", input, "--framework", framework, "--skip-download", "--quiet", "--compact", "-o", "json", "--output-file-path", work], process.env]
        : [[input], { ...process.env, CHECKOV_JSON_OUT: report }];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(checkov.path, args, { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("error", reject);
      child.on("close", (exit) => resolve({ code: exit, output: Buffer.concat(chunks).toString("utf8") }));
    });
    // Both exit 0 (clean) or 1 (findings); anything else means the scan did not run.
    if ((code !== 0 && code !== 1) || !existsSync(report)) throw new Error(`checkov could not scan ${file} (exit ${code}):\n${output.slice(-3000)}`);
    const result = findingsFrom(report);
    return framework === "terraform_json" ? { ...result, failed: result.failed.map((finding) => ({ ...finding, resource: typedAddress(document, finding.resource) })) } : result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
