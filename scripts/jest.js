#!/usr/bin/env node
// `npm test` and `npm run test:<tier>`: Jest on the named projects with the user's arguments
// (`npm run test:unit -- __tests__/config/schema.test.ts -t name`), which npm appends. In the
// script itself, `jest --selectProjects=unit <path>` took the path as a second project name and
// ran the whole tier: --selectProjects takes every word after it. Given last, it has none to take.
//
//   node scripts/jest.js <project>[,<project>...] [<jest arguments>]
"use strict";

/** Jest's arguments for `node scripts/jest.js <projects> <given...>`: the user's, then the projects. */
function jestArgs(argv) {
  const [projects, ...rest] = argv;
  if (!projects || projects.startsWith("-")) throw new Error("usage: node scripts/jest.js <project>[,<project>...] [<jest arguments>]");
  // `node scripts/jest.js unit -- <path>`: a "--" would make Jest read everything after it, the
  // project list included, as path patterns.
  const given = rest[0] === "--" ? rest.slice(1) : rest;
  return [...given, "--selectProjects", ...projects.split(",")];
}

module.exports = { jestArgs };

if (require.main === module) {
  let args;
  try {
    args = jestArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  require("jest").run(args);
}
