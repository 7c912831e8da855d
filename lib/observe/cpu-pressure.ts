// How contended the harness machine's CPUs are, from Linux pressure stall information (PSI, kernel 4.20+,
// Documentation/accounting/psi.rst): /proc/pressure/cpu's `some` line counts, in `total`, the microseconds during
// which at least one runnable task waited for a CPU. The observer records it every second (`cpu` events), so an
// oracle can tell a budget overrun the cluster caused from one the machine's load may have caused: no chain of tasks
// (etcd, an API server, the sampler) can have waited for a CPU longer than that count grew in the meantime.
import { readFileSync } from 'node:fs';

export const CPU_PRESSURE_FILE = '/proc/pressure/cpu';

/** The `some total` of a /proc/pressure/cpu text (µs); undefined when it has none. */
export function parseCpuStallUs(text: string): number | undefined {
  const match = /^some\b.*\btotal=(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The machine's CPU stall so far (µs); undefined where the kernel does not report it (no PSI, not Linux). */
export function readCpuStallUs(file: string = CPU_PRESSURE_FILE): number | undefined {
  try {
    return parseCpuStallUs(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Records the machine's CPU stall every `intervalMs` while started; nothing where it cannot be read. */
export class CpuPressureSampler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly record: (stalledUs: number) => void,
    private readonly intervalMs: number,
    private readonly read: () => number | undefined = readCpuStallUs,
  ) {}

  start(): void {
    if (this.timer !== undefined || !this.sample()) return;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops, with a last reading, so an interval running to the end of the run is bracketed. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  private sample(): boolean {
    const stalledUs = this.read();
    if (stalledUs === undefined) return false;
    this.record(stalledUs);
    return true;
  }
}
