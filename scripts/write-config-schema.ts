// `npm run schema`: writes tap.config.schema.json from the setting definitions (src/config/settings.ts).
import { writeFileSync } from "fs";
import { join } from "path";
import { configJsonSchema } from "../src/config/settings";

export const SCHEMA_FILE = "tap.config.schema.json";

export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  const target = join(__dirname, "..", "..", SCHEMA_FILE);
  writeFileSync(target, configSchemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
