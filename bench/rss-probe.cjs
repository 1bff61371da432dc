// Preloaded (NODE_OPTIONS=--require) into measured node processes: appends this process's
// peak resident set size, in KiB, to $TAP_BENCH_RSS_FILE when it exits.
"use strict";
process.on("exit", () => {
  require("fs").appendFileSync(process.env.TAP_BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
