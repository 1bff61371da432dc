/**
 * What JSON.parse lets pass silently in a configuration file: a key given twice in one object
 * (the last one wins, so an edit further up is quietly ignored). Plain module.
 */
import type { JsonPath } from "./schema";

/**
 * The JSON path of every key that appears a second time in its object. `text` must be JSON that
 * JSON.parse accepts; this walks it once, decoding keys as JSON.parse does.
 */
export function duplicateKeys(text: string): JsonPath[] {
  const duplicates: JsonPath[] = [];
  let at = 0;
  const skipSpace = () => {
    while (/\s/.test(text[at] ?? "")) at++;
  };
  const readString = (): string => {
    const start = at++;
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at));
  };
  const readValue = (path: JsonPath): void => {
    skipSpace();
    const opener = text[at];
    if (opener === "{" || opener === "[") {
      at++;
      const keys = new Set<string>();
      for (let index = 0; ; index++) {
        skipSpace();
        if (text[at] === "}" || text[at] === "]") break;
        if (opener === "{") {
          const key = readString();
          if (keys.has(key)) duplicates.push([...path, key]);
          keys.add(key);
          skipSpace();
          at++; // the colon
          readValue([...path, key]);
        } else {
          readValue([...path, index]);
        }
        skipSpace();
        if (text[at] === ",") at++;
      }
      at++;
    } else if (opener === '"') {
      readString();
    } else {
      while (at < text.length && !/[\s,\]}]/.test(text[at])) at++;
    }
  };
  readValue([]);
  return duplicates;
}
