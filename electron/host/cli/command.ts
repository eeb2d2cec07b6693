import type { CliContext } from './context';

export interface Command {
  /** First word after `pupitre`. */
  name: string;
  usage: string;
  summary: string;
  /** Flags that take a value (`--port 8080`). */
  valued?: readonly string[];
  run(ctx: CliContext): Promise<number>;
}
