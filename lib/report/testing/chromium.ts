// Headless Chromium for the report page tests (index.html, trend.html): Debian's chromium, started as root with no
// network of its own and a throwaway profile (the flags this machine's closed network needs: without the
// background-networking ones, Chromium's own connections are refused many at a time).
export const CHROMIUM = '/usr/bin/chromium';

export function chromiumArgs(userDataDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${userDataDir}`,
  ];
}
