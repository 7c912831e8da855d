// Reports of a run: JUnit XML for CI, summary.json and the histories for offline re-checks, a self-contained HTML
// page with timelines, and live progress lines. Everything written goes through redact().
export { describeEvent, eventLabel, formatDuration, formatOffset, formatSeconds, runZeroMs } from './describe.ts';
export { renderHtmlReport, type HtmlReportOptions } from './html.ts';
export { compactTimestamp, historyFileNames, newReportDir, writeRunReports, type ReportDirOptions, type RunReportPaths } from './json.ts';
export { renderJUnit, verdictText, type JUnitOptions } from './junit.ts';
export {
  METRIC_NAMES,
  METRICS,
  scenarioMetrics,
  type ElectionFigure,
  type MetricInfo,
  type MetricInterval,
  type MetricName,
  type PromotionFigure,
  type RecorderGapFigure,
  type ScenarioMetrics,
} from './metrics.ts';
export { anyRepeated, passRateLines, passRates, wilsonInterval, type PassRate } from './pass-rates.ts';
export {
  formatVerdictLine,
  INITIAL_PROGRESS,
  progressLog,
  ProgressReporter,
  progressStep,
  STATUS_LABEL,
  type ProgressState,
  type ProgressUpdate,
} from './progress.ts';
export { isSensitiveKey, REDACTED, redact, redactValue } from './redact.ts';
export { summarizeRun, summarizeScenario, SUMMARY_VERSION, type RunSummary, type ScenarioSummary, type VerdictSummary } from './summary.ts';
export { buildTimeline, type Timeline } from './timeline.ts';
