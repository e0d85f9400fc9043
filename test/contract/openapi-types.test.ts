/**
 * The typed client's `paths` (test/contract/openapi-types.generated.ts) come from the current
 * openapi.yaml. The generator needs TypeScript 5's compiler API, which this project's TypeScript
 * 7 does not have, so it is not run here; the generated file records the SHA-256 of the
 * openapi.yaml it was made from instead (scripts/gen-openapi-types.mjs).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { openapiText } from './openapi.js';

it('openapi-types.generated.ts was generated from this openapi.yaml (else: npm run gen:openapi-types)', () => {
  const generated = readFileSync(new URL('./openapi-types.generated.ts', import.meta.url), 'utf8');
  const recorded = /^\/\/ openapi\.yaml sha256: ([0-9a-f]{64})$/m.exec(generated)?.[1];
  expect(recorded, 'run `npm run gen:openapi-types` after changing openapi.yaml').toBe(createHash('sha256').update(openapiText).digest('hex'));
});
