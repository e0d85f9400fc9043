/**
 * The ASN.1 libraries (@peculiar/asn1-schema, -x509, -cms, -csr, and under them asn1js and
 * @peculiar/utils), evaluated on first use instead of at the Worker's start-up.
 *
 * Why: evaluating them defines a few hundred decorated schema classes at the script's top level,
 * start-up work in every isolate, while an isolate may never parse a certificate (bench/startup.ts).
 * `require` here is the bundler's: esbuild (wrangler) bundles a `require` of an ES module as an
 * init-once wrapper, so asn1-modules.js and the libraries' top levels run at the first call of
 * `asn1()`, synchronously, once per isolate, and hand out the same classes a static import does.
 * In Node (vitest, the CLI) it is Node's require (Node ≥ 20.19 requires an ES module), from
 * createRequire where the module has no `require` in scope; that is also why asn1-modules is
 * JavaScript (with a .d.ts): Node's require loads .js, not .ts. In the bundle `typeof require`
 * is esbuild's `__require` shim, a function. Elsewhere in src/ import these packages for
 * types only: a value import would put their evaluation back into start-up.
 */
declare const require: ((id: string) => unknown) | undefined;

type Modules = typeof import('./asn1-modules.js');
let modules: Modules | undefined;

/** The ASN.1 classes src/ uses; the first call evaluates the libraries. */
export const asn1 = (): Modules =>
  (modules ??= (typeof require === 'function' ? require('./asn1-modules.js') : nodeRequire()('./asn1-modules.js')) as Modules);

/** Node running this file as an ES module, with no `require` in scope (the CLI under tsx): Node's own. */
function nodeRequire(): (id: string) => unknown {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const module = node?.getBuiltinModule?.('node:module') as { createRequire(from: string): (id: string) => unknown } | undefined;
  if (module === undefined) throw new Error('asn1-libraries: no require to load the ASN.1 libraries with');
  return module.createRequire(import.meta.url);
}
