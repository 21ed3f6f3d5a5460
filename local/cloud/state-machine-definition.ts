/**
 * A synthesized state machine definition, adapted to the local engine (aws-local-stepfunctions):
 * the local cloud runs Wait states and callback tasks itself, on the virtual clock.
 */

export interface WaitSpec {
  seconds?: number;
  timestamp?: string;
  secondsPath?: string;
  timestampPath?: string;
}

export interface LocalDefinition {
  definition: { States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number };
  waits: Map<string, WaitSpec>;
}

/** Where a callback task's payload carries `$$.Task.Token`: the local cloud puts a fresh token there. */
export const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
/** Parameters that carry a callback task's TimeoutSeconds(Path) into its override. */
export const TIMEOUT_PARAM = '__timeoutSeconds.$';
export const TIMEOUT_SECONDS_PARAM = '__timeoutSeconds';

function jsonPath(input: unknown, path: string): unknown {
  if (path === '$') return input;
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}

/**
 * Adapts a definition to the local engine: Wait states sleep on the virtual clock (so a
 * month passes in seconds), callback tasks carry their timeout into the override, and the
 * execution-level timeout is dropped (the engine would arm a real timer for it).
 */
export function localDefinition(definition: Record<string, unknown>): LocalDefinition {
  const waits = new Map<string, WaitSpec>();
  const local = structuredClone(definition) as LocalDefinition['definition'];
  delete local.TimeoutSeconds;
  for (const [name, state] of Object.entries(local.States)) {
    if (state.Type === 'Wait') {
      waits.set(name, {
        seconds: state.Seconds as number,
        timestamp: state.Timestamp as string,
        secondsPath: state.SecondsPath as string,
        timestampPath: state.TimestampPath as string,
      });
      for (const key of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[key];
      state.Type = 'Task';
      state.Resource = 'arn:aws:lambda:us-east-1:000000000000:function:local-wait';
    }
    if (state.Type === 'Task') {
      const params = state.Parameters as Record<string, unknown> | undefined;
      if (typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken') && params) {
        const payload = params.Payload as Record<string, unknown>;
        for (const [key, value] of Object.entries(payload))
          if (value === '$$.Task.Token') payload[key.replace(/\.\$$/, '')] = TOKEN_PLACEHOLDER;
        for (const key of Object.keys(payload)) if (payload[key] === '$$.Task.Token') delete payload[key];
        if (state.TimeoutSecondsPath) params[TIMEOUT_PARAM] = state.TimeoutSecondsPath;
        if (state.TimeoutSeconds) params[TIMEOUT_SECONDS_PARAM] = state.TimeoutSeconds;
      }
      delete state.TimeoutSecondsPath;
      delete state.HeartbeatSeconds;
      // The override enforces timeouts on the virtual clock; the engine's own timer is real time.
      state.TimeoutSeconds = 2_000_000;
    }
  }
  return { definition: local, waits };
}

/** When a Wait state entered at `enteredAtMs` with `input` ends. */
export function waitEnd(wait: WaitSpec, input: unknown, enteredAtMs: number): number {
  if (wait.timestampPath) return new Date(String(jsonPath(input, wait.timestampPath))).getTime();
  if (wait.timestamp) return new Date(wait.timestamp).getTime();
  return enteredAtMs + 1000 * Number(wait.secondsPath ? jsonPath(input, wait.secondsPath) : (wait.seconds ?? 0));
}
