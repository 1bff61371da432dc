// Jest globalTeardown: removes the run's temporary folder (see global-setup.js).
"use strict";
const fs = require("fs");

module.exports = async () => {
  if (process.env.TAP_TEST_TMPDIR) fs.rmSync(process.env.TAP_TEST_TMPDIR, { recursive: true, force: true });
};
