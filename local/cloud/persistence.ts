import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AgentTaskRecord, LocalConnect } from './connect.js';
import type { CloudCore } from './core.js';
import type { LocalSes, SentEmail } from './ses.js';
import type { ExecutionRecord, LocalStepFunctions } from './step-functions.js';

/**
 * Restart without loss: the running executions, the agent desk and the outbox are kept in a
 * state file (.local/state.json), written as they change, and picked up at the next start.
 */

interface Snapshot {
  clockNow: number;
  executions: ExecutionRecord[];
  agentTasks: AgentTaskRecord[];
  outbox: SentEmail[];
}

/** Where a stopped stack's clock stood, if it left a state file. */
export function savedClock(file: string): number | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Snapshot>).clockNow : undefined;
}

export class StatePersistence {
  private stateFile: string | undefined;
  private persistQueued = false;

  constructor(
    private readonly core: CloudCore,
    private readonly parts: { stepFunctions: LocalStepFunctions; connect: LocalConnect; ses: LocalSes },
  ) {
    core.onChange(() => this.persistSoon());
  }

  /** Keeps running executions, the agent desk and the outbox in `file`, written as they change. */
  persistTo(file: string): void {
    this.stateFile = file;
    this.persistNow();
  }

  private persistSoon(): void {
    if (!this.stateFile || this.persistQueued) return;
    this.persistQueued = true;
    setImmediate(() => {
      this.persistQueued = false;
      this.persistNow();
    });
  }

  persistNow(): void {
    if (!this.stateFile) return;
    const { stepFunctions, connect, ses } = this.parts;
    const running = [...stepFunctions.executions.values()].filter((e) => e.status === 'RUNNING' && e.current);
    const snapshot: Snapshot = {
      clockNow: this.core.clock.nowMs(),
      executions: running,
      agentTasks: connect.agentTasks,
      outbox: ses.outbox,
    };
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(snapshot));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }

  /**
   * Picks up where a stopped stack left off: each running execution restarts in the state it was
   * in, with that state's input. A contact step that runs again finds its attempt already
   * contacted and only parks its new task token, so nobody is called or emailed twice.
   */
  resumeFrom(file: string): { executions: number } {
    if (!existsSync(file)) return { executions: 0 };
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    this.parts.connect.restore(snapshot.agentTasks);
    this.parts.ses.restore(snapshot.outbox);
    this.parts.stepFunctions.resume(snapshot.executions);
    return { executions: snapshot.executions.length };
  }
}
