// Stand-ins for the programs npm run plan, apply, drift and destroy start: terraform, and the emulator.
import { readFileSync } from "fs";

/**
 * A `terraform` for npm run plan and npm run apply, driven by files in $FAKE_TF: plan-exit/<stack>
 * (plan's exit code, 0 when absent), drift-exit/<stack> (a refresh-only plan's, else plan's: 2 is drift, which
 * its show -json then holds),
 * plans/<stack>.json (what show -json prints), state/<stack>.json (what state pull prints; apply
 * bumps its serial; destroy is logged to destroyed.log). Every call is logged to calls.log (and the credentials and CLI configuration it
 * got to env.log), each apply to applied.log.
 */
export const STAND_IN = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = process.env.FAKE_TF, stack = path.basename(process.cwd()), args = process.argv.slice(2);
const file = (...parts) => path.join(dir, ...parts);
fs.appendFileSync(file("calls.log"), stack + " " + args.join(" ") + "\\n");
fs.appendFileSync(file("env.log"), JSON.stringify({ stack, AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_PROFILE: process.env.AWS_PROFILE, TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE }) + "\\n");
const read = (f, fallback) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : fallback);
if (args[0] === "init") process.exit(0);
if (args[0] === "state" && args[1] === "pull") { process.stdout.write(read(file("state", stack + ".json"), "")); process.exit(0); }
if (args[0] === "plan" && args.includes("-refresh-only")) {
  // Drift (exit 2) is a refresh-only plan whose show -json has EBS default encryption turned off by hand.
  const code = Number(read(file("drift-exit", stack), read(file("plan-exit", stack), "0")));
  const out = args.find((a) => a.startsWith("-out="));
  if (code === 1 || !out) process.exit(code);
  fs.writeFileSync(out.slice(5), (code === 2 ? "drift of " : "refresh of ") + stack);
  process.exit(0);
}
const DRIFT = { resource_drift: [{ address: "aws_ebs_encryption_by_default.e", mode: "managed", type: "aws_ebs_encryption_by_default", change: { actions: ["update"], before: { enabled: true }, after: { enabled: false } } }] };
if (args[0] === "show" && read(args[args.length - 1], "").startsWith("drift of ")) { process.stdout.write(JSON.stringify(DRIFT)); process.exit(0); }
if (args[0] === "show" && read(args[args.length - 1], "").startsWith("refresh of ")) { process.stdout.write("{}"); process.exit(0); }
if (args[0] === "plan") {
  const code = Number(read(file("plan-exit", stack), "0"));
  if (code === 1) { console.error("Error: stand-in plan failure for " + stack); process.exit(1); }
  fs.writeFileSync(args.find((a) => a.startsWith("-out=")).slice(5), "saved plan of " + stack);
  process.exit(code);
}
if (args[0] === "state" && args[1] === "list") process.exit(0);
if (args[0] === "destroy") { fs.appendFileSync(file("destroyed.log"), stack + "\\n"); process.exit(0); }
if (args[0] === "show") { process.stdout.write(read(file("plans", stack + ".json"), '{"resource_changes":[]}')); process.exit(0); }
if (args[0] === "apply" && stack === "bootstrap" && args.includes("-auto-approve")) {
  // npm run bootstrap: its local state, with the outputs of $FAKE_TF/bootstrap-outputs.json (synth reads the state key there).
  const outputs = JSON.parse(read(file("bootstrap-outputs.json"), "{}"));
  fs.writeFileSync("terraform.tfstate", JSON.stringify({ version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value, type: "string" }])) }));
  process.exit(0);
}
if (args[0] === "apply") {
  if (!fs.existsSync(args[args.length - 1])) { console.error("no plan file"); process.exit(1); }
  const state = JSON.parse(read(file("state", stack + ".json"), '{"version":4,"serial":0,"lineage":"new-' + stack + '"}'));
  state.serial++;
  fs.writeFileSync(file("state", stack + ".json"), JSON.stringify(state));
  fs.appendFileSync(file("applied.log"), stack + "\\n");
  console.log("Apply complete!");
  process.exit(0);
}
console.error("stand-in: unexpected " + args.join(" "));
process.exit(3);
`;

/**
 * An emulator for TAP_MOTO_SERVER (called with the port): says it is a supported moto, as tap's
 * extensions do, answers moto's API and every S3 HEAD with 200, except the HEAD of an object
 * whose key ends with a name listed (one a line) in $FAKE_EMU/missing (a state not written yet, or the
 * state bucket before bootstrap, which is there once its policy is lifted: DeleteBucketPolicy answers 204).
 * Every request is logged to $FAKE_EMU/requests.log.
 */
export const FAKE_EMULATOR = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = process.env.FAKE_EMU;
process.stderr.write("tap moto extensions: moto 5.1.22\\n");
require("http").createServer((request, response) => {
  fs.appendFileSync(path.join(dir, "requests.log"), request.method + " " + request.url + "\\n");
  const missingFile = path.join(dir, "missing");
  const missing = fs.existsSync(missingFile) ? fs.readFileSync(missingFile, "utf8").split("\\n").filter(Boolean) : [];
  const [target, query] = request.url.split("?");
  if (request.method === "DELETE" && query === "policy") {
    // The state bucket's policy lifted: bootstrap is done, so the bucket is there from now on.
    fs.writeFileSync(missingFile, missing.filter((key) => !target.endsWith(key)).join("\\n") + "\\n");
    response.statusCode = 204;
    return response.end();
  }
  response.statusCode = missing.some((key) => target.endsWith(key)) ? 404 : 200;
  response.end();
}).listen(Number(process.argv[2]), "127.0.0.1");
`;

/** Gone, or a zombie waiting to be reaped (its parent has exited): either way it no longer runs. */
export function stillRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}
