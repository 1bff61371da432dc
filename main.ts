import "./src/app/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { readFileSync } from "fs";
import { join } from "path";
import { buildApp } from "./src/app/app";
import { runCli } from "./src/app/cli";
import { bootstrapOutputs } from "./src/app/bootstrap-stack";
import { describeStacks, previousSubscriptions } from "./src/app/summary";
import { loadConfig } from "./src/app/load-config";

runCli(() => {
  // The state key bootstrap made, from its local state in the folder synth writes to (cdktf's default).
  const config = loadConfig(process.env, { bootstrapOutputs: () => bootstrapOutputs(process.env.CDKTF_OUTDIR ?? "cdktf.out") });
  const { app } = buildApp(config);
  // Read before synth overwrites it: what the last synth subscribed, so the summary can say what this one drops.
  const previous = previousSubscriptions(app.outdir);
  app.synth();
  // Managed resources per stack, as written: what the summary says Terraform will manage.
  const organization = config.organization;
  const stackNames = [
    ...(organization ? [organization.logArchive.name, organization.management.stackName, organization.security.name] : []),
    ...config.stacks.flatMap((stack) => [stack.stackName, ...stack.regionStacks.map((regionStack) => regionStack.stackName)]),
    ...(config.bootstrap ? [config.bootstrap.stackName] : []),
  ];
  const counts = new Map(
    stackNames.map((name) => {
      const written = JSON.parse(readFileSync(join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
      return [name, Object.values<Record<string, unknown>>(written.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0)];
    }),
  );
  for (const line of describeStacks(config, counts, previous)) console.log(line);
  return config;
});
