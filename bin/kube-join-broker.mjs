#!/usr/bin/env node
// The kube-join-broker operator CLI. The CLI is TypeScript run from a checkout of this
// repository (after `npm ci`): tsx's loader compiles it on the fly, as `npm run cli` does.
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../tsconfig.node.json', import.meta.url).pathname });
await import('../cli/main.ts');
