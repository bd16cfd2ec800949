// HTML building blocks for the dashboard: escaping, the page layout and its stylesheet. Every
// value from a record goes through `escapeHtml`; nothing from a record is ever trusted as markup.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A tagged template that escapes every interpolation unless it is a `Safe` fragment. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

/** Markup already built (by `html`, or a chart): inserted as is. */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(v: unknown): string {
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(v);
}

const STYLE = `
:root { --fg:#1d2433; --muted:#5b6476; --line:#d8dde6; --ok:#1f8a4c; --bad:#c2410c; --warn:#b7791f; --accent:#2456c7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0; background: #f6f7fb; }
header { background: #111a2e; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
header a { color: #cfd8ff; text-decoration: none; } header a:hover { text-decoration: underline; }
header strong { font-size: 16px; margin-right: 12px; }
main { padding: 16px 24px; max-width: 1200px; }
h1 { font-size: 20px; margin: 8px 0 12px; } h2 { font-size: 16px; margin: 20px 0 8px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f7; font-weight: 600; }
.status { font-weight: 600; } .status-resolved { color: var(--ok); } .status-escalated, .status-rejected { color: var(--bad); }
.status-awaiting_approval { color: var(--warn); }
.muted { color: var(--muted); } code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow-x: auto; white-space: pre-wrap; }
form.filters { display: flex; gap: 8px; margin-bottom: 12px; flex-wrap: wrap; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, textarea, button { font: inherit; padding: 4px 6px; }
button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 5px 12px; cursor: pointer; }
button.reject { background: var(--bad); }
.cards { display: flex; gap: 16px; flex-wrap: wrap; }
figure { background: #fff; border: 1px solid var(--line); margin: 0; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 540px; height: 212px; } svg .axis { stroke: #8a93a6; }
svg polyline { fill: none; stroke: var(--accent); stroke-width: 2; } svg circle { fill: var(--accent); }
svg .threshold { stroke: var(--bad); stroke-dasharray: 4 3; } svg .tick, svg text { font-size: 11px; fill: var(--muted); }
svg rect.resolved { fill: var(--ok); } svg rect.escalated { fill: var(--bad); } svg rect.other { fill: #9aa5b8; }
td.heat { text-align: right; font-variant-numeric: tabular-nums; } td.best { outline: 2px solid var(--fg); outline-offset: -2px; }
.notice { background: #fff7e6; border: 1px solid #f3d19e; padding: 8px 12px; margin: 8px 0; }
.error { background: #fdecea; border: 1px solid #f5b5ac; padding: 8px 12px; margin: 8px 0; }
`;

/** The page layout: navigation, title, content. */
export function layout(title: string, content: Safe, options: { readOnly: boolean }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · healer</title><style>${new Safe(STYLE)}</style></head>
<body><header><strong>healer</strong><a href="/">Incidents</a><a href="/approvals">Approvals</a><a href="/policy">Policy</a><a href="/charts">Charts</a>
<span class="muted">${options.readOnly ? 'read-only (set HEALER_TOKEN to approve)' : ''}</span></header>
<main>${content}</main></body></html>`.value;
}
