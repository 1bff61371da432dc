#!/usr/bin/env node
// `npm run check:cdktn`: tap on CDK Terrain (npm `cdktn`, the maintained fork of the archived
// cdktf), the switch a team would make, proven small and working. In a copy of the tracked files
// it aliases `cdktf` to cdktn, raises `constructs` to cdktn's peer range, and overrides the
// provider bindings' cdktf peer (they name cdktf 0.21) instead of --legacy-peer-deps; installs;
// builds; synthesizes the default deployment with cdktn beside the same synth with cdktf (this
// checkout); and runs the unit tier on cdktn. Every file the two synths write must be the same
// bytes, but for two known differences: the version stamp each stack's cdk.tf.json and the
// manifest carry (`"//".metadata.version` and `version`), which names the library that wrote it;
// and the layout of empty arrays and objects (cdktf 0.21 breaks the line inside them, cdktn writes
// "[]" and "{}"): whitespace, the same JSON.
// Exits non-zero on any difference or failure. TAP_CDKTN_KEEP=1 keeps the copy for inspection.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** The switch. */
const CDKTN = { alias: "npm:cdktn@0.24.0", version: "0.24.0", constructs: "10.7.0" };

const root = path.resolve(__dirname, "..");
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const say = (message) => console.log(`check:cdktn: ${message}`);

/** Runs a command, its output shown; throws when it fails. */
function run(command, args, options) {
  say(`[${seconds()}] ${path.relative(root, options.cwd) || "."}$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}${result.error ? ` (${result.error.message})` : ""}`);
}

/** The tracked files (with their working-tree content) copied to `dest`. */
function copyTracked(dest) {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    const from = path.join(root, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, file));
  }
  return files.length;
}

/**
 * package.json on cdktn: the alias, constructs in cdktn's peer range, and the provider bindings'
 * peer on cdktf pointed at the alias ($cdktf: the root's own spec). The CLI goes: tap's synth
 * does not use it, and its cdktn counterpart (cdktn-cli) needs Node 22.19 or later.
 */
function switchToCdktn(packageJson) {
  const pkg = JSON.parse(fs.readFileSync(packageJson, "utf8"));
  pkg.devDependencies.cdktf = CDKTN.alias;
  pkg.devDependencies.constructs = CDKTN.constructs;
  delete pkg.devDependencies["cdktf-cli"];
  pkg.overrides = { ...pkg.overrides, "@cdktf/provider-aws": { cdktf: "$cdktf" } };
  fs.writeFileSync(packageJson, `${JSON.stringify(pkg, undefined, 2)}\n`);
}

/** The environment of a default deployment: none of the caller's tap or cdktf settings, no configuration file. */
function defaultDeploymentEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TAP_|CDKTF_|TERRAFORM_STATE_)/.test(name)));
  return { ...env, TAP_CONFIG: "", CHECKPOINT_DISABLE: "1" };
}

/** Every file below `dir`, relative path -> contents. */
function tree(dir) {
  const files = new Map();
  const walk = (current) => {
    for (const name of fs.readdirSync(current)) {
      const file = path.join(current, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else files.set(path.relative(dir, file), fs.readFileSync(file));
    }
  };
  walk(dir);
  return files;
}

/** An empty array or object with a line break inside, as cdktf 0.21 writes it; cdktn writes `[]` and `{}`. Whitespace only: JSON strings hold no raw line breaks. */
const BROKEN_EMPTY = /\[\s+\]|\{\s+\}/g;
const joined = (text) => text.replace(BROKEN_EMPTY, (empty) => `${empty[0]}${empty.at(-1)}`);
const brokenEmpties = (text) => (text.match(BROKEN_EMPTY) ?? []).length;

/**
 * Where `file` of the cdktn synth differs from cdktf's, or undefined when it is the same bytes
 * but for the two known differences, counted in `tolerated`: its version stamp (the field
 * `"//".metadata.version` of cdk.tf.json, `version` of manifest.json), which must name each
 * library; and empty arrays and objects, which cdktf writes with a line break inside ("[", a line
 * break, indentation, "]") and cdktn as "[]" and "{}".
 */
function difference(file, cdktf, cdktn, versions, tolerated) {
  if (cdktf.equals(cdktn)) return undefined;
  const stamp = file === "manifest.json" ? ["version"] : path.basename(file) === "cdk.tf.json" ? ["//", "metadata", "version"] : undefined;
  if (!stamp) return "differs (no difference is tolerated in this file)";
  const field = stamp.map((key) => (key === "//" ? '"//"' : key)).join(".");
  const [a, b] = [cdktf, cdktn].map((bytes) => JSON.parse(bytes.toString("utf8")));
  const at = (json) => stamp.slice(0, -1).reduce((node, key) => node?.[key], json);
  const [stampA, stampB] = [at(a), at(b)];
  if (stampA?.version !== versions.cdktf || stampB?.version !== versions.cdktn) {
    return `${field} is ${JSON.stringify(stampA?.version)} and ${JSON.stringify(stampB?.version)}, not ${versions.cdktf} (cdktf) and ${versions.cdktn} (cdktn)`;
  }
  // cdktn's bytes with the stamp set to cdktf's value, checked to be that field and no other.
  const from = `"version": ${JSON.stringify(versions.cdktn)}`;
  const text = cdktn.toString("utf8");
  const index = text.indexOf(from);
  const restored = `${text.slice(0, index)}"version": ${JSON.stringify(versions.cdktf)}${text.slice(index + from.length)}`;
  stampB.version = versions.cdktf;
  if (index < 0 || JSON.stringify(JSON.parse(restored)) !== JSON.stringify(b)) return `${field}: its value is not where expected`;
  const original = cdktf.toString("utf8");
  if (joined(restored) !== joined(original)) return `differs beyond ${field} and the line breaks inside empty arrays and objects`;
  tolerated.stamps.push(file);
  tolerated.empties += brokenEmpties(original) - brokenEmpties(restored);
  return undefined;
}

function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tap-cdktn-"));
  const copy = path.join(work, "tap");
  const outputs = { cdktf: path.join(work, "out-cdktf"), cdktn: path.join(work, "out-cdktn") };
  let failed = true;
  try {
    say(`copied ${copyTracked(copy)} tracked files to ${copy}`);
    // A repository of its own, those files staged: tests that list the sources ask git.
    execFileSync("git", ["init", "-q"], { cwd: copy });
    execFileSync("git", ["add", "-A"], { cwd: copy });
    switchToCdktn(path.join(copy, "package.json"));
    say(`package.json: cdktf -> "${CDKTN.alias}", constructs -> ${CDKTN.constructs}, overrides @cdktf/provider-aws's cdktf peer with it ($cdktf), cdktf-cli left out`);
    // npm's cache (filled by npm ci before this in CI) serves every package the lock names.
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: copy });
    const installed = (dir, name) => JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"));
    const versions = { cdktf: installed(root, "cdktf").version, cdktn: installed(copy, "cdktf").version };
    if (installed(copy, "cdktf").name !== "cdktn" || versions.cdktn !== CDKTN.version) throw new Error(`node_modules/cdktf of the copy is ${installed(copy, "cdktf").name} ${versions.cdktn}, not cdktn ${CDKTN.version}`);
    say(`libraries: cdktf ${versions.cdktf} here, cdktn ${versions.cdktn} (constructs ${installed(copy, "constructs").version}) in the copy`);

    run("npx", ["tsc", "-p", "."], { cwd: copy });
    run("node", ["scripts/cdktf-app.js", "--mark-built"], { cwd: copy });
    const env = defaultDeploymentEnv();
    run("node", ["scripts/synth.js", "--output", outputs.cdktn], { cwd: copy, env });
    run("node", ["scripts/synth.js", "--output", outputs.cdktf], { cwd: root, env });

    const [a, b] = [tree(outputs.cdktf), tree(outputs.cdktn)];
    const problems = [];
    const tolerated = { stamps: [], empties: 0 };
    for (const file of new Set([...a.keys(), ...b.keys()])) {
      if (!a.has(file) || !b.has(file)) problems.push(`${file}: written by ${a.has(file) ? "cdktf" : "cdktn"} only`);
      else {
        const why = difference(file, a.get(file), b.get(file), versions, tolerated);
        if (why) problems.push(`${file}: ${why}`);
      }
    }
    const stacks = [...a.keys()].filter((file) => path.basename(file) === "cdk.tf.json").map((file) => path.basename(path.dirname(file)));
    if (problems.length > 0) {
      console.error(`check:cdktn: the synthesized stacks differ:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
      return 1;
    }
    say(
      `[${seconds()}] the same ${a.size} files (${stacks.length} stacks, ${stacks.join(", ")}) but for the two known differences: ` +
        `the version stamp ("//".metadata.version of each cdk.tf.json, version of manifest.json: ${versions.cdktf} and ${versions.cdktn}) in ${tolerated.stamps.length} files, ` +
        `and ${tolerated.empties} empty arrays and objects that cdktf writes with a line break inside and cdktn as [] and {}`,
    );
    run("node", ["scripts/jest.js", "unit"], { cwd: copy });
    say(`[${seconds()}] passed: the same stacks (but for the version stamp and the layout of empty arrays and objects) and the unit tier green on cdktn ${versions.cdktn}`);
    failed = false;
    return 0;
  } catch (error) {
    console.error(`check:cdktn: ${error.message}`);
    return 1;
  } finally {
    if (process.env.TAP_CDKTN_KEEP === "1" || (failed && process.env.CI === undefined)) say(`the copy and both synths are kept in ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { difference };

if (require.main === module) process.exitCode = main();
