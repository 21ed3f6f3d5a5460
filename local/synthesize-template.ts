import { writeFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.js';
import { LOCAL_CONTEXT } from './template.js';

/**
 * Synthesizes the stack with the local context and writes its template to the file named on the
 * command line (local/template.ts runs this on a cache miss). Bundling is skipped: locally each
 * function runs from source.
 */
const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: synthesize-template.ts <output file>');
const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...LOCAL_CONTEXT } });
const { stack } = buildApp({ app, nag: false });
const assembly = app.synth();
writeFileSync(file, JSON.stringify(assembly.getStackByName(stack.stackName).template));
