import type { CliContext } from './context';

export interface Command {
  /** First word after `pupitre`. */
  name: string;
  /**
   * Second word of a grouped command (`pupitre dmp metadata …`): commands sharing a `name` are told
   * apart by it, each in its own file (dmp: `dmp-cda.ts` has metadata/validate, the DMP client the others).
   */
  subcommand?: string;
  usage: string;
  summary: string;
  /** Flags that take a value (`--port 8080`). */
  valued?: readonly string[];
  /** Runs until stopped (serve, sim cards insert): no « toujours en cours » notice. */
  longRunning?: boolean;
  /** What a slow run waits for, in French, for the « toujours en cours » notice (« réponse du DMP »). */
  waitingFor?: string;
  run(ctx: CliContext): Promise<number>;
}
