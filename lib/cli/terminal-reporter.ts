// The CLI's reporter: per scenario a header, live progress lines from the history (and harness lines in a dry-run),
// then the verdicts. With scenarios in parallel, each scenario's lines are held and printed as one block.
import { ProgressReporter } from '../report/index.ts';
import type { Reporter, RunEvent } from '../run/events.ts';
import { resultLines } from './output.ts';

export interface TerminalReporterOptions {
  /** Scenarios run at once: hold each one's lines until it ends. */
  readonly parallel: boolean;
  /** Print the harness's own progress lines (a dry-run's plans): otherwise the history tells the story. */
  readonly harnessLines: boolean;
  /** Name the round in the header (--repeat, --until-failure). */
  readonly rounds: boolean;
  readonly write?: (text: string) => void;
}

interface Lane {
  readonly progress: ProgressReporter;
  readonly held: string[];
}

export class TerminalReporter implements Reporter {
  private readonly lanes = new Map<number, Lane>();
  private readonly write: (text: string) => void;

  constructor(private readonly options: TerminalReporterOptions) {
    this.write = options.write ?? ((text) => void process.stdout.write(text));
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'scenario-begin': {
        this.lanes.set(event.lane, { progress: new ProgressReporter(), held: [] });
        const round = this.options.rounds ? `, round ${event.round}` : '';
        this.line(event.lane, `\n== ${event.scenario.name} (seed ${event.seed}${round})`);
        return;
      }
      case 'progress':
        if (this.options.harnessLines) this.line(event.lane, `     ${event.line}`);
        return;
      case 'history':
        for (const line of this.lanes.get(event.lane)?.progress.push(event.event) ?? []) this.line(event.lane, `     ${line}`);
        return;
      case 'scenario-end':
        for (const line of resultLines(event.result)) this.line(event.lane, line);
        this.flush(event.lane);
        return;
      case 'suite-end':
        return;
    }
  }

  private line(lane: number, text: string): void {
    const held = this.lanes.get(lane)?.held;
    if (this.options.parallel && held) held.push(text);
    else this.write(`${text}\n`);
  }

  private flush(lane: number): void {
    const held = this.lanes.get(lane)?.held ?? [];
    if (held.length > 0) this.write(`${held.join('\n')}\n`);
    this.lanes.delete(lane);
  }
}
