// `npm run audit`: the compliance report for the current configuration (same variables as synth).
import "./src/app/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { buildApp } from "./src/app/app";
import { auditStack, isCompliant } from "./src/compliance/audit";
import { formatReport } from "./src/compliance/report";
import { ConfigError, loadConfig } from "./src/config/config";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

try {
  // Nothing is synthesized to disk; the outdir only keeps cdktf from touching cdktf.out.
  const { stack } = buildApp(loadConfig(process.env), mkdtempSync(join(tmpdir(), "tap-audit-")));
  const report = auditStack(stack);
  console.log(formatReport(report, { verbose: process.argv.includes("--verbose") }));
  process.exitCode = isCompliant(report) ? 0 : 1;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.describe());
  process.exit(1);
}
