import { fileURLToPath } from 'node:url';

/**
 * Node flags a local stack runs with. The calling function's role travels with each invocation in
 * an AsyncLocalStorage (cloud/caller.ts); on Node 22 that storage otherwise works through async
 * hooks, which tax every promise the handlers, the SDK and dynalite make (5–7% of a simulated
 * month). The async context frame carries the same store without them (Node 24's default).
 */
export const LOCAL_STACK_NODE_FLAGS = ['--experimental-async-context-frame'];

const SIMULATE = fileURLToPath(new URL('./simulate.ts', import.meta.url));

/** The Node arguments that run `npm run simulate -- <args>` in a process of its own (a sweep's variant, the bench, a test). */
export function simulateProcessArgs(args: string[], simulateFile = SIMULATE): string[] {
  return [...LOCAL_STACK_NODE_FLAGS, '--import', 'tsx', simulateFile, ...args];
}
