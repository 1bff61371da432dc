// Jest globalSetup: every temporary folder of the run (cdktf's Testing.app() outdirs, asset
// folders, Terraform working directories, child processes' files) goes below one folder that
// globalTeardown removes. The tier projects' globalSetup (tiers.ts, tierGlobalSetup) calls this
// first, so it makes the folder once per run whichever of them Jest runs first.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  if (process.env.TAP_TEST_TMPDIR && process.env.TAP_TEST_TMPDIR_OWNER === String(process.pid)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tap-tests-"));
  process.env.TAP_TEST_TMPDIR = dir;
  process.env.TAP_TEST_TMPDIR_OWNER = String(process.pid);
  process.env.TMPDIR = dir; // os.tmpdir() reads it on every call, here and in every worker and child process
};
