// `npm run audit`: the compliance report of every stack, built exactly as synth builds it.
import "./src/app/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "./src/app/app";
import { runCli } from "./src/app/cli";
import { TAP_RULE_PACK } from "./src/app/rule-pack";
import { auditStacks } from "./src/compliance/report";
import { loadConfig } from "./src/app/load-config";

runCli(() => {
  const config = loadConfig();
  // Nothing is written; the outdir only keeps cdktf from touching cdktf.out.
  const outdir = mkdtempSync(join(tmpdir(), "tap-audit-"));
  try {
    const { text, compliant } = auditStacks(buildApp(config, outdir).stacks, TAP_RULE_PACK, { verbose: process.argv.includes("--verbose") });
    console.log(text);
    process.exitCode = compliant ? 0 : 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return config;
});
