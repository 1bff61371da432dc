// SWC strips types without checking them (about 1 s a file instead of ts-jest's ~15 s);
// `npm test` runs `tsc --noEmit` first, so type errors still fail the suite.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }] };

/** @type {import('jest').Config} */
module.exports = {
  // Two workers even on two cores: the Terraform tier waits on terraform processes most of the time.
  maxWorkers: 2,
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/lib/"],
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["<rootDir>/__tests__/terraform/", "<rootDir>/__tests__/integration/", "<rootDir>/__tests__/apply/"],
      setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
    },
    {
      // The compiled app in processes of its own, as a user runs it: exit codes, output, npm run
      // synth against the cdktf CLI. The unit project stays in-process.
      displayName: "integration",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/__tests__/integration/**/*.test.ts"],
    },
    {
      // Real terraform init/validate/test/graph against the offline hashicorp/aws mirror.
      displayName: "terraform",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts"],
      // Decides once, before any file runs, whether the tier (and the apply tier, which two of its
      // files also need) can run: fails the run there when it must, else its blocks skip quietly
      // and globalTeardown says why once.
      globalSetup: "<rootDir>/__tests__/terraform/tier-setup.ts",
    },
    {
      // Real apply, re-plan and destroy against a local AWS emulator (npm run test:apply; CI runs it).
      displayName: "apply",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/__tests__/apply/**/*.test.ts"],
      globalSetup: "<rootDir>/__tests__/apply/tier-setup.ts",
    },
  ],
};
