// Fills the generated part of public/ (Workers Static Assets, wrangler.toml `[assets]`); wrangler
// runs it before every build, deploy and `wrangler dev` (`[build] command`):
//   public/openapi.yaml          ← openapi.yaml (the contract; served as GET /openapi.yaml)
//   public/docs/swagger-ui/      ← the few files of the swagger-ui-dist package the page loads
// The hand-written part (public/docs.html, public/docs/init.js, public/_headers) is committed.
// Writes only what changed, so a file watcher never sees a rebuild loop.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const vendorDir = join(root, 'public/docs/swagger-ui');

/** What the page needs from swagger-ui-dist, and its licence files (Apache-2.0: NOTICE travels with it). */
const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'LICENSE', 'NOTICE'];

function copy(from, to) {
  const bytes = readFileSync(from);
  if (existsSync(to) && readFileSync(to).equals(bytes)) return;
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, bytes);
}

copy(join(root, 'openapi.yaml'), join(root, 'public/openapi.yaml'));
mkdirSync(vendorDir, { recursive: true });
for (const stale of readdirSync(vendorDir)) if (!SWAGGER_UI_FILES.includes(stale)) rmSync(join(vendorDir, stale), { recursive: true });
for (const file of SWAGGER_UI_FILES) copy(join(swaggerUi, file), join(vendorDir, file));
