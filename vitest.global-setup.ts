// Once per test run: build the embedded database template (if this code's is not there yet),
// so each test file's in-memory PGlite unpacks it instead of running initdb and every migration.
import { buildPgliteTemplate } from './src/db/build-template.ts';

export default async function setup(): Promise<void> {
  await buildPgliteTemplate({ ifNeeded: true });
}
