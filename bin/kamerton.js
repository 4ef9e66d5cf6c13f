#!/usr/bin/env node
// The CLI is TypeScript run through tsx (DEVELOPERS.md); registering tsx here lets `npx kamerton` work
// straight from a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
