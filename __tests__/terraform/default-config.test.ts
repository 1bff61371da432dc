import { describePlannedStack } from "./planned-stack";

// What `npm run synth` produces on a fresh clone: three regions, dev.
describePlannedStack("default configuration", {});
