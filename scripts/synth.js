#!/usr/bin/env node
// `npm run synth [-- --output DIR]`: what `cdktf synth` does, without the CLI's two seconds of
// start-up. It gives the app the environment the CLI gives it (so the output is byte-identical,
// which a test checks), runs it in this process, then does what the CLI does afterwards:
// prints the manifest's annotations, fails on an error annotation, removes the folders of
// stacks that no longer exist (never one holding local state) and names the stacks written. `npm run diff` and `npm run deploy`
// run this first and hand cdktf the result with --skip-synth, so an error prints once.
"use strict";
const fs = require("fs");
const path = require("path");
const { ensureBuilt, root } = require("./cdktf-app");

const args = process.argv.slice(2);
const outputFlag = args.findIndex((arg) => arg === "--output" || arg === "-o");
const outdir = outputFlag >= 0 ? args[outputFlag + 1] : "cdktf.out";
const manifestFile = path.resolve(root, outdir, "manifest.json");
const stacksDir = path.resolve(root, outdir, "stacks");

/** cdktf-cli's getRelativeTerraformModules: local module paths from cdktf.json. */
function relativeModules(config) {
  return (config.terraformModules ?? []).filter((module) => typeof module === "string" && /^\.{0,2}\//.test(module));
}

ensureBuilt();
const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
const context = process.env.CDKTF_CONTEXT_JSON ? JSON.parse(process.env.CDKTF_CONTEXT_JSON) : {};
Object.assign(process.env, {
  CDKTF_OUTDIR: outdir,
  CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
  CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: relativeModules(cdktfJson) }),
  SYNTH_HCL_OUTPUT: "false",
});
process.chdir(root);
const existing = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : [];

require(path.join(root, "dist", "main.js")); // exits 1 itself on a configuration or compliance error

const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
const stacks = Object.values(manifest.stacks);
let errors = 0;
for (const stack of stacks) {
  for (const annotation of stack.annotations ?? []) {
    const level = { "@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR" }[annotation.level] ?? annotation.level;
    if (level === "ERROR") errors++;
    console.log(`${level} [${annotation.constructPath}]: ${annotation.message}`);
  }
}
if (errors > 0) {
  console.error("tap: synth found error annotations (above); fix them and synth again");
  process.exit(1);
}
// A stack no longer in the app (a forgotten accountId drops the bootstrap stack, another TAP_CONFIG
// drops a whole fleet) loses its folder, as with `cdktf synth`, unless the folder holds Terraform's
// local state: the only record of what that stack deployed is never deleted by synth.
for (const orphan of existing.filter((name) => !stacks.some((stack) => stack.name === name))) {
  const dir = path.join(stacksDir, orphan);
  const state = fs.readdirSync(dir).filter((name) => /^terraform\.tfstate/.test(name));
  if (state.length === 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    continue;
  }
  console.log(
    `WARN [${path.relative(root, dir)}]: kept: stack ${orphan} is no longer in the app, but its folder holds ${state.join(", ")}, Terraform's local state of what it deployed; move the state somewhere safe, or delete the folder once nothing it deployed is left`,
  );
}
console.log(`Generated Terraform code for the stacks: ${stacks.map((stack) => stack.name).join(", ")}`);
