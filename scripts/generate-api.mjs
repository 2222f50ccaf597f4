/**
 * The TypeScript types of the REST API, generated from its contract: api/openapi.yaml → src/api/schema.d.ts
 * (openapi-typescript). Run from the repository root:
 *   jlpm generate:api   write src/api/schema.d.ts
 *   jlpm check:api      regenerate into a temporary file and fail if the committed one differs
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

const DOCUMENT = 'api/openapi.yaml';
const TARGET = 'src/api/schema.d.ts';
const HEADER = `/**
 * GENERATED from ${DOCUMENT} by \`jlpm generate:api\` (openapi-typescript): do not edit by hand.
 * Change the document and regenerate; \`jlpm check:api\` fails while this file is out of date.
 */

`;

async function generate() {
  const ast = await openapiTS(pathToFileURL(DOCUMENT), { defaultNonNullable: false });
  return HEADER + astToString(ast);
}

const text = await generate();
if (process.argv.includes('--check')) {
  const fresh = join(mkdtempSync(join(tmpdir(), 'mlext-api-')), 'schema.d.ts');
  writeFileSync(fresh, text);
  const committed = existsSync(TARGET) ? readFileSync(TARGET, 'utf-8') : '';
  if (committed !== text) {
    console.error(
      `check:api: ${TARGET} is out of date with ${DOCUMENT} (regenerated into ${fresh}).\n` +
        `Run \`jlpm generate:api\` and commit ${TARGET}.`
    );
    process.exit(1);
  }
  console.log(`check:api: ${TARGET} matches ${DOCUMENT}`);
} else {
  writeFileSync(TARGET, text);
  console.log(`generate:api: wrote ${TARGET} from ${DOCUMENT}`);
}
