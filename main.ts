import "./src/app/defer-archiver"; // first: keeps cdktf from loading archiver, which tap never uses
import { buildApp } from "./src/app/app";
import { runCli } from "./src/app/cli";
import { describeStacks } from "./src/app/summary";
import { loadConfig } from "./src/config/load";

runCli(() => {
  const config = loadConfig();
  buildApp(config).app.synth();
  for (const line of describeStacks(config)) console.log(line);
  return config;
});
