#!/usr/bin/env node
// The `rapport` command. The application is TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
