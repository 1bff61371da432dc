import { spawn } from "child_process";
import { join } from "path";
import { stillRuns } from "./stand-ins";

// The compiled helper, as scan, bench and the apply tier run it (`npm test` compiles first).
const EMULATOR = join(__dirname, "..", "..", "dist", "scripts", "terraform", "emulator.js");

/** A stand-in emulator: reports a supported moto, as tap's extensions do, and answers every request on the port it is given. */
const FAKE_SERVER = `process.stderr.write("tap moto extensions: moto 5.1.22\\n"); require("http").createServer((request, response) => response.end("ok")).listen(Number(process.argv[1]), "127.0.0.1");`;


describe("startEmulator", () => {
  test.each(["SIGINT", "SIGTERM"] as const)("stops the emulator when its user is ended by %s (Ctrl-C does not reach its process group), and the signal still ends the user", async (signal) => {
    const script = `
      const { startEmulator } = require(${JSON.stringify(EMULATOR)});
      const command = { path: process.execPath, args: (port) => ["-e", ${JSON.stringify(FAKE_SERVER)}, String(port)], source: "test" };
      startEmulator(command).then((emulator) => { console.log(emulator.pid); setInterval(() => {}, 1000); });`;
    const user = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => user.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(stillRuns(pid)).toBe(true);

    const ended = new Promise<NodeJS.Signals | null>((resolve) => user.once("exit", (_code, by) => resolve(by)));
    user.kill(signal);
    expect(await ended).toBe(signal);
    const deadline = Date.now() + 5_000;
    while (stillRuns(pid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    expect(stillRuns(pid)).toBe(false);
  }, 15_000);
});
