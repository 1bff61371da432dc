// Jest globalSetup: every temporary folder of the run (cdktf's Testing.app() outdirs, asset
// folders, Terraform working directories, child processes' files) goes below one folder that
// globalTeardown removes; and a skipped tier says so where it cannot be missed.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

/** Tiers that can be skipped outside CI, by variable. */
const SKIPPABLE = [["TAP_SKIP_TERRAFORM_TESTS", "the Terraform tier (validate and plan against the real provider)"]];

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tap-tests-"));
  process.env.TAP_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir; // os.tmpdir() reads it on every call, here and in every worker and child process
  for (const [variable, tier] of SKIPPABLE) {
    if (process.env[variable] !== "1") continue;
    if (process.env.CI) throw new Error(`${variable}=1 is not honoured in CI: ${tier} always runs there`);
    process.stderr.write(`\n*** ${variable}=1: skipping ${tier}. This run proves less than npm test in CI. ***\n\n`);
  }
};
