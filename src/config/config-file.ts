/**
 * The configuration file: found (TAP_CONFIG, else ./tap.config.json when there is one), read as
 * JSON text (a byte-order mark allowed, a key given twice refused) and checked against the file
 * schema. What it holds is kept even where some settings are refused, so that every problem is
 * reported at once.
 */
import { existsSync, readFileSync, statSync } from "fs";
import { isAbsolute, resolve } from "path";
import { duplicateKeys } from "../settings/json-text";
import { DEFAULT_CONFIG_FILE, Problems } from "../settings/problems";
import { formatJsonPath, SchemaIssue } from "../settings/schema";
import { accountSchema, FileSettings, fileSchema, StackFields } from "./settings";

export const CONFIG_FILE_VARIABLE = "TAP_CONFIG";

export interface ConfigFile {
  readonly path: string;
  /** How messages name it: the path as given. */
  readonly display: string;
  readonly settings?: FileSettings;
  /** Refused keys: top-level ones, and `fleet.accounts.<n>.<key>` for an account's. */
  readonly invalid: ReadonlySet<string>;
}

/** Reads the file `given` (a path; `null` for none; undefined for TAP_CONFIG or the default). */
export function readConfigFile(given: string | null | undefined, cwd: string, fields: StackFields, problems: Problems): ConfigFile | undefined {
  if (given === null) return undefined;
  const display = given ?? DEFAULT_CONFIG_FILE;
  const path = isAbsolute(display) ? display : resolve(cwd, display);
  if (!existsSync(path)) {
    if (given !== undefined) problems.error(`${CONFIG_FILE_VARIABLE}: "${given}" does not exist (looked for ${path})`);
    return undefined;
  }
  if (statSync(path).isDirectory()) {
    problems.error(`${given !== undefined ? CONFIG_FILE_VARIABLE : display}: "${display}" is a folder (${path}); expected a JSON file such as ${DEFAULT_CONFIG_FILE}`);
    return undefined;
  }
  // A byte-order mark (some Windows editors write one) is not part of the JSON.
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.error(`${display}: is not valid JSON (${(error as Error).message})`);
    return { path, display, invalid: new Set() };
  }
  for (const duplicate of duplicateKeys(text)) problems.error(`${display} ${formatJsonPath(duplicate)}: is given twice in its object; JSON keeps only the last, so remove one`);
  const issues: SchemaIssue[] = [];
  const parsed = fileSchema(fields).parseFields(json, [], issues);
  problems.report(issues, display);
  if (!parsed) return { path, display, invalid: new Set() };
  // Keep every account's valid settings even when one of its settings is refused: dropping the
  // fleet would turn the file into a single stack and report problems it does not have.
  const accounts = (json as { fleet?: { accounts?: unknown } }).fleet?.accounts;
  const invalid = new Set<string>(parsed.invalid);
  if (!Array.isArray(accounts)) return { path, display, settings: parsed.value as FileSettings, invalid };
  invalid.delete("fleet");
  const account = accountSchema(fields);
  const lenient = accounts.map((entry, index) => {
    const accountFields = account.parseFields(entry, ["fleet", "accounts", index], []);
    for (const key of accountFields?.invalid ?? []) invalid.add(`fleet.accounts.${index}.${key}`);
    return accountFields?.value ?? {};
  });
  return { path, display, settings: { ...parsed.value, fleet: { accounts: lenient } } as FileSettings, invalid };
}
