// The report page's inline CSS and script. No fonts, images or anything else is fetched: the page carries a
// Content-Security-Policy that forbids it.
import { escapeText } from './xml.ts';

export const LEADER_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#c9a227', '#ff9da7', '#9c755f'];

export const REPORT_CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --pass: #15803d; --fail: #b42318; --inconclusive: #b45309; --error: #6d28d9; --xfail: #475569; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, pre { font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
a { color: #1d4ed8; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.muted { color: var(--muted); }
.figures { width: auto; } .figures td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.matrix td.matrix-fail { background: #fdecec; } .matrix td.matrix-pass { background: #eaf7ef; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px; font-weight: 700; color: #fff; text-transform: uppercase; letter-spacing: .03em; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.inconclusive { background: var(--inconclusive); } .badge.error { background: var(--error); } .badge.xfail { background: var(--xfail); } .badge.xpass { background: var(--fail); }
header { margin-bottom: 14px; }
.scenario { border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 20px 0; }
.scenario.fail { border-left: 5px solid var(--fail); } .scenario.pass { border-left: 5px solid var(--pass); } .scenario.inconclusive { border-left: 5px solid var(--inconclusive); } .scenario.error { border-left: 5px solid var(--error); } .scenario.xfail { border-left: 5px solid var(--xfail); } .scenario.xpass { border-left: 5px solid var(--fail); }
.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 8px 0 0; padding: 0; }
.meta div { display: flex; gap: 6px; } .meta dt { color: var(--muted); } .meta dd { margin: 0; font-weight: 600; }
.description { margin: 6px 0 0; }
tr.verdict-fail td:first-child { border-left: 3px solid var(--fail); }
.timeline-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
svg.timeline { display: block; min-width: 900px; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.lane-bg { fill: #fff; } .lane-bg.alt { fill: #f6f7f9; }
.lane-label { font-size: 12px; font-weight: 700; fill: #111827; } .lane-sublabel { font-size: 10px; fill: #6b7280; } .sublabel { font-size: 9px; fill: #9ca3af; }
.axis-line { stroke: #9ca3af; } .grid { stroke: #e5e7eb; } .tick { font-size: 10px; fill: #4b5563; }
.bar-label { font-size: 10px; fill: #fff; paint-order: stroke; stroke: rgba(0,0,0,.35); stroke-width: 2px; pointer-events: none; }
.fault-label { font-size: 10px; fill: #7c2d12; } .step-label { font-size: 10px; fill: #334155; }
.empty-note { font-size: 10px; fill: #9ca3af; font-style: italic; }
.ready-True { fill: #22a05a; } .ready-Unknown { fill: #f0b429; } .ready-False { fill: #dc3545; }
.deleting { fill: url(#hatch-deleting); }
.role-management { fill: #6d4bc3; } .role-worker { fill: #c7ccd4; }
.promote-running { fill: #2f7fd8; } .promote-complete { fill: #0f8a7a; } .promote-failed { fill: #b42318; } .promote-unknown { fill: #7c8594; } .promote-other { fill: #a3a3a3; }
.cordon { fill: #9a6b2f; }
.deleted-icon { stroke: #111827; stroke-width: 2; } .deleted-label { font-size: 10px; fill: #111827; }
.fault-area { fill: #f97316; fill-opacity: .09; } .fault-node { fill: url(#hatch-fault); }
.fault-bar { fill: #ea580c; } .fault-restart { fill: #f59e0b; } .fault-pause { fill: #a855f7; }
.fault-isolate, .fault-partition, .fault-drop { fill: #0284c7; }
.mark-icon { fill: #374151; } .mark-failed .mark-icon, .mark-unsupported .mark-icon { fill: #b42318; }
.step-ok { fill: #94a3b8; } .step-failed { fill: #dc3545; } .step-open { fill: #cbd5e1; }
.api-ok { stroke: #22a05a; stroke-width: 1.2; } .api-bad { stroke: #dc3545; stroke-width: 1.6; }
.outage-area { fill: #dc3545; fill-opacity: .16; } .outage-label { font-size: 10px; font-weight: 700; fill: #b42318; }
${LEADER_COLORS.map((c, i) => `.leader-${i} { fill: ${c}; }`).join(' ')}
.etcd-none { fill: #d1d5db; } .etcd-error { fill: #dc3545; fill-opacity: .6; }
.gap { fill: url(#hatch-gap); }
.violation-line { stroke: #b42318; stroke-width: 1.2; stroke-dasharray: 4 3; }
.violation-dot { fill: #b42318; stroke: #fff; stroke-width: 1.5; } .violation-diamond { fill: #b42318; stroke: #fff; stroke-width: 1.5; } .violation-num { font-size: 10px; font-weight: 700; fill: #fff; pointer-events: none; }
.violation.active .violation-line { stroke-width: 2.5; stroke-dasharray: none; } .violation.active .violation-dot { r: 10; } .violation.active .violation-diamond { stroke: #111827; }
.guide { stroke: #111827; stroke-dasharray: 2 2; pointer-events: none; } .guide-label { font-size: 11px; font-weight: 700; fill: #111827; pointer-events: none; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 2px 0; padding: 0; list-style: none; font-size: 12px; color: #374151; }
.legend li { display: flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 18px; height: 10px; border-radius: 2px; }
ol.violations { margin: 4px 0; padding-left: 0; list-style: none; }
ol.violations li { display: flex; gap: 8px; align-items: baseline; padding: 3px 6px; border-radius: 4px; }
ol.violations li.active { background: #fee2e2; }
.vnum { display: inline-block; min-width: 20px; height: 20px; border-radius: 10px; background: #b42318; color: #fff; font-size: 11px; font-weight: 700; text-align: center; line-height: 20px; }
.vinv { color: var(--fail); font-size: 12px; white-space: nowrap; }
details pre { max-height: 360px; overflow: auto; background: #f8fafc; border: 1px solid var(--line); padding: 8px 10px; border-radius: 6px; }
footer { margin-top: 26px; color: var(--muted); font-size: 12px; }
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  document.querySelectorAll('[data-epoch-ms]').forEach(function (el) {
    var d = new Date(Number(el.getAttribute('data-epoch-ms')));
    el.textContent = d.toLocaleString() + ' (local)';
  });
  document.querySelectorAll('svg.timeline').forEach(function (svg) {
    var left = Number(svg.getAttribute('data-plot-left'));
    var width = Number(svg.getAttribute('data-plot-width'));
    var end = Number(svg.getAttribute('data-end-ms'));
    var guide = svg.querySelector('.guide');
    var label = svg.querySelector('.guide-label');
    if (!guide || !label) return;
    function hide() { guide.setAttribute('visibility', 'hidden'); label.setAttribute('visibility', 'hidden'); }
    svg.addEventListener('mousemove', function (e) {
      var ctm = svg.getScreenCTM();
      if (!ctm) return;
      var p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
      if (p.x < left || p.x > left + width) { hide(); return; }
      var ms = (p.x - left) / width * end;
      guide.setAttribute('x1', p.x); guide.setAttribute('x2', p.x); guide.setAttribute('visibility', 'visible');
      label.setAttribute('x', p.x + 4); label.textContent = '+' + (ms / 1000).toFixed(2) + 's'; label.setAttribute('visibility', 'visible');
    });
    svg.addEventListener('mouseleave', hide);
  });
  document.querySelectorAll('[data-violation-item]').forEach(function (item) {
    var marker = document.getElementById(item.getAttribute('data-target'));
    if (!marker) return;
    item.setAttribute('data-linked', 'true');
    function on() { marker.classList.add('active'); item.classList.add('active'); }
    function off() { marker.classList.remove('active'); item.classList.remove('active'); }
    item.addEventListener('mouseenter', on); item.addEventListener('mouseleave', off);
    marker.addEventListener('mouseenter', on); marker.addEventListener('mouseleave', off);
  });
  document.documentElement.setAttribute('data-script', 'ready');
})();
`;

/** Allows only the inline style and script; nothing may be fetched. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/**
 * A report page's lines up to its body: the policy above, the report CSS with the page's own (`css`) and `title`.
 * `scripted`: the html element starts as data-script="none" (the page's script flips it, for styles that need it).
 */
export function pageHead(title: string, css: string, scripted: boolean): string[] {
  return [
    '<!doctype html>',
    scripted ? '<html lang="en" data-script="none">' : '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(title)}</title>`,
    `<style>${REPORT_CSS}${css}</style>`,
    '</head>',
    '<body>',
  ];
}
