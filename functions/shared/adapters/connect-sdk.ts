/**
 * What the agent-task channel uses of the Connect SDK, loaded on its first task. Named imports
 * behind the dynamic import let the bundler keep only these (and their schemas): a dynamic import
 * of the package itself would bring the whole client, every operation's schema included.
 */
export { ConnectClient, StartTaskContactCommand, StopContactCommand } from '@aws-sdk/client-connect';
