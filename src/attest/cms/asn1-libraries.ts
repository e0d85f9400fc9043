/**
 * The ASN.1 libraries (@peculiar/asn1-schema, -x509, -cms, -csr, and under them asn1js and
 * @peculiar/utils), evaluated on first use instead of at the Worker's start-up.
 *
 * Why: evaluating them defines a few hundred decorated schema classes at the script's top level,
 * start-up work in every isolate, while an isolate may never parse a certificate (bench/startup.ts).
 * `require` here is the bundler's: esbuild (wrangler) bundles a `require` of an ES module as an
 * init-once wrapper, so asn1-modules.js and the libraries' top levels run at the first call of
 * `asn1()`, synchronously, once per isolate, and hand out the same classes a static import does.
 * Under vitest (Node ≥ 20.19) it is Node's require, which loads an ES module too; that is also
 * why asn1-modules is JavaScript (with a .d.ts). Elsewhere in src/ import these packages for
 * types only: a value import would put their evaluation back into start-up.
 */
declare const require: (id: string) => unknown;

type Modules = typeof import('./asn1-modules.js');
let modules: Modules | undefined;

/** The ASN.1 classes src/ uses; the first call evaluates the libraries. */
export const asn1 = (): Modules => (modules ??= require('./asn1-modules.js') as Modules);
