import { setupJest } from "cdktf/lib/testing/adapters/jest";
// As in the app (src/app/app.ts): no stack trace recorded for every token, a third of each synth.
import "../src/app/token-stack-traces";

// Adds cdktf's matchers (toHaveResourceWithProperties, toHaveDataSourceWithProperties, ...).
setupJest();
