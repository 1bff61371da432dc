/**
 * cdktf 0.21 requires `archiver` when it loads, for zipping TerraformAsset folders. That one
 * require is ~80 ms, a fifth of a whole synth, and tap declares no assets. Importing this
 * module first (main.ts does) puts a stand-in in the require cache that loads the real
 * archiver on first use, so assets keep working if a construct ever adds one.
 */
import Module = require("module");
import { dirname } from "path";

/** cdktf's archiver, or undefined when the library has none: CDK Terrain (cdktn, `npm run check:cdktn`) zips with fflate. */
export const ARCHIVER_PATH: string | undefined = archiverPath();

function archiverPath(): string | undefined {
  try {
    return require.resolve("archiver", { paths: [dirname(require.resolve("cdktf/package.json"))] });
  } catch {
    return undefined;
  }
}

if (ARCHIVER_PATH && !require.cache[ARCHIVER_PATH]) {
  let real: any;
  const load = () => {
    if (!real) {
      delete require.cache[ARCHIVER_PATH];
      real = require(ARCHIVER_PATH);
    }
    return real;
  };
  const standIn = new Module(ARCHIVER_PATH);
  standIn.filename = ARCHIVER_PATH;
  standIn.loaded = true;
  // cdktf only calls `archiver(format, options)`; any property access is forwarded too.
  standIn.exports = new Proxy(function deferredArchiver() {}, {
    apply: (_target, thisArg, args) => load().apply(thisArg, args),
    get: (_target, property) => load()[property],
  });
  require.cache[ARCHIVER_PATH] = standIn;
}
