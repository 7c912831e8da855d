// The agent's start gate (AgentConfig.startGateFile): a loaded agent waits for a file the harness writes. Told by
// inotify on the file's folder (fs.watch), with a slow poll besides in case a notification is missed.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Resolves once `path` exists; a missing folder is waited for by the poll alone. */
export function waitForFile(path: string, pollMs = 250): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined = undefined;
    const check = (): void => {
      if (!existsSync(path)) return;
      watcher?.close();
      clearInterval(timer);
      resolve();
    };
    try {
      watcher = watch(dirname(path), (_event, name) => {
        if (name === null || name === basename(path)) check();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    timer = setInterval(check, pollMs);
    check();
  });
}
