#!/usr/bin/env node
// The command cdktf.json runs for synth, diff and deploy. It runs the compiled app
// (dist/main.js), compiling first with tsc only when a source is newer than the last
// successful build, so an edit is never synthesized stale and an unchanged tree pays
// for a few file stats instead of a ~1 s type-check. Type errors stop synth.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".app-build-stamp");
const inputs = ["main.ts", "audit.ts", "tsconfig.json", "tsconfig.app.json", "package-lock.json", "src", "scripts"];

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** Compiles the app sources (tsconfig.app.json) when any is newer than the last build; exits 1 on a type error. */
function ensureBuilt() {
  const builtAt = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  if (Math.max(...inputs.map((input) => newestMtime(path.join(root, input)))) < builtAt) return;
  const tsc = path.join(root, "node_modules", ".bin", "tsc");
  try {
    execFileSync(tsc, ["-p", path.join(root, "tsconfig.app.json")], { stdio: "inherit" });
  } catch (error) {
    // tsc has printed its errors; anything else (tsc missing) is printed here.
    if (error.status === undefined) console.error(`cdktf-app: could not run ${tsc}: ${error.message}`);
    process.exit(1);
  }
  markBuilt();
}

/** Records that dist/ is current: `npm test` compiles everything with `tsc -p .` first. */
function markBuilt() {
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

module.exports = { ensureBuilt, root };

if (require.main === module) {
  if (process.argv.includes("--mark-built")) {
    markBuilt();
  } else {
    ensureBuilt();
    require(path.join(root, "dist", "main.js"));
  }
}
