/**
 * A local AWS API emulator (moto 5.1.22) for applying the stack for real without an account:
 * found on this machine, started on a free loopback port, stopped by its process group.
 */
import { ChildProcess, spawn } from "child_process";
import { existsSync } from "fs";
import { createServer } from "net";
import { basename, delimiter, dirname, join } from "path";

export const EMULATOR_ENV = "TAP_MOTO_SERVER";
export const EMULATOR_VERSION = "5.1.22";
export const EMULATOR_INSTALL_HINT = `pip install 'moto[server]==${EMULATOR_VERSION}'`;
/** The account moto answers as. */
export const EMULATOR_ACCOUNT_ID = "123456789012";
/** The copy beside the checkout on tap's build machines (see ../shared/README.md). */
const SHARED_COPY = join(projectRoot(), "..", "shared", "tools", "moto", "moto-server");

/** The checkout's root: the nearest folder above this file (source or compiled) with a package.json. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The provider `endpoints` keys of every service the stack calls. Extend it when a construct
 * starts using a new service: an unlisted one would reach real AWS (and fail on fake keys).
 */
export const EMULATED_SERVICES = [
  "accessanalyzer",
  "apigateway",
  "cloudtrail",
  "cloudwatch",
  "configservice",
  "ec2",
  "guardduty",
  "iam",
  "kms",
  "logs",
  "s3",
  "s3control",
  "securityhub",
  "sns",
  "sts",
] as const;

/** How to run an emulator found on this machine. */
export interface EmulatorCommand {
  readonly path: string;
  /** The arguments that serve on `port`: `moto_server` (pip) takes `-p`, tap's offline wrapper a bare port. */
  readonly args: (port: number) => string[];
  /** Where it was found, for messages. */
  readonly source: string;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

function commandFor(path: string, source: string): EmulatorCommand {
  const pip = basename(path) === "moto_server";
  return { path, source, args: (port) => (pip ? ["-H", "127.0.0.1", "-p", String(port)] : [String(port)]) };
}

/**
 * The emulator: `$TAP_MOTO_SERVER`, else `moto_server` on PATH, else the copy beside the
 * checkout. Undefined when there is none.
 */
export function findEmulator(env: NodeJS.ProcessEnv = process.env): EmulatorCommand | undefined {
  const given = env[EMULATOR_ENV];
  if (given) {
    if (!existsSync(given)) throw new Error(`${EMULATOR_ENV}="${given}" does not exist; point it at moto_server (${EMULATOR_INSTALL_HINT}) or unset it`);
    return commandFor(given, EMULATOR_ENV);
  }
  const fromPath = onPath("moto_server", env);
  if (fromPath) return commandFor(fromPath, "PATH");
  return existsSync(SHARED_COPY) ? commandFor(SHARED_COPY, "../shared/tools/moto") : undefined;
}

/** What to say when no emulator is found. */
export function emulatorMissingMessage(): string {
  return `no AWS emulator found: set ${EMULATOR_ENV} to moto_server, put moto_server on PATH, or install it with ${EMULATOR_INSTALL_HINT}`;
}

/** A running emulator; `stop` ends it and everything it started. */
export interface RunningEmulator {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Stops the whole process group (the wrapper script and the Python server under it). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts the emulator on a free loopback port and waits until it answers. It runs in its own
 * process group, stopped by `stop()`, and also when this process exits, so a failing test
 * leaves nothing running.
 */
export async function startEmulator(command: EmulatorCommand, timeoutMs = 60_000): Promise<RunningEmulator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(command.path, command.args(port), { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exitHook = () => killGroup(child, "SIGKILL");
  process.once("exit", exitHook);
  let exited = false;
  child.once("exit", () => (exited = true));
  const stop = async () => {
    process.removeListener("exit", exitHook);
    if (exited) return;
    const gone = new Promise<void>((done) => child.once("exit", () => done()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the emulator (${command.path}) exited before answering:\n${Buffer.concat(stderr).toString("utf8")}`);
    if (await answers(url)) return { url, pid: child.pid!, stop };
    await new Promise((wait) => setTimeout(wait, 200));
  }
  await stop();
  throw new Error(`the emulator (${command.path}) did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** True when a process with this id still runs (for tests that check nothing is left behind). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
