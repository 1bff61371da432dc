// Jest globalTeardown: says, once and after Jest's summary, which tier blocks the run skipped and
// why (describeIfTier notes them in the run's folder), then removes the run's temporary folder
// (see global-setup.js).
"use strict";
const fs = require("fs");
const path = require("path");

/** tiers.ts SKIPPED_DIR. */
const SKIPPED_DIR = "skipped-tiers";

module.exports = async () => {
  const dir = process.env.TAP_TEST_TMPDIR;
  if (!dir) return;
  const notes = path.join(dir, SKIPPED_DIR);
  const byReason = new Map();
  for (const file of fs.existsSync(notes) ? fs.readdirSync(notes).sort() : []) {
    const { reason, title } = JSON.parse(fs.readFileSync(path.join(notes, file), "utf8"));
    byReason.set(reason, [...(byReason.get(reason) ?? []), title]);
  }
  for (const [reason, titles] of byReason) {
    process.stderr.write(`\n*** Skipped ${titles.length} test block${titles.length === 1 ? "" : "s"}: ${reason}. This run proves less than CI, where every tier runs. Skipped: ${titles.sort().join("; ")} ***\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
};
