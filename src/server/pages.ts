// The dashboard's pages, rendered on the server from stored records. Every value is escaped by
// `html`; charts are inline SVG.

import { ACTIONS } from '../core/action.js';
import type { AuditRecord } from '../core/audit-chain.js';
import { type ArtifactDiff, artifactGreedy, diffArtifacts } from '../core/policy/artifact.js';
import { allStates, stateKey } from '../core/state.js';
import type { IncidentRecord } from '../ports.js';
import type { FamilyPrecision, PolicyVersion, QuarantinePreview } from './dashboard-app.js';
import { html, layout, Safe } from './html.js';
import { dailyTrend, familyOf, type IncidentFilter, outcomesByFamily } from './incident-view.js';
import { lineChart, stackedBars } from './svg-charts.js';

interface PageOptions {
  readOnly: boolean;
  error?: string;
}

export function messagePage(title: string, message: string, options: PageOptions): string {
  return layout(
    title,
    html`<h1>${title}</h1><p class="error">${message}</p><p><a href="/">Back to incidents</a></p>`,
    options,
  );
}

export function incidentsPage(
  all: readonly IncidentRecord[],
  shown: readonly IncidentRecord[],
  filter: IncidentFilter,
  options: PageOptions,
): string {
  const options_ = (values: string[], selected?: string) =>
    [...new Set(values)]
      .sort()
      .map((v) => html`<option value="${v}" ${new Safe(v === selected ? 'selected' : '')}>${v}</option>`);
  const rows = shown.map(
    (i) => html`<tr>
      <td><a href="/incidents/${encodeURIComponent(i.id)}">${i.id}</a></td>
      <td class="status status-${i.status}">${i.status}</td>
      <td>${familyOf(i)}</td><td>${i.event.pipeline}</td><td>${i.action ?? '-'}</td>
      <td>${i.startedAt.replace('T', ' ').slice(0, 19)}</td>
      <td>${i.durationMs === undefined ? '-' : `${(i.durationMs / 1000).toFixed(1)} s`}</td>
      <td>${i.summary}${i.group ? ` (+${i.group.linkedEventIds.length} linked)` : ''}</td></tr>`,
  );
  return layout(
    'Incidents',
    html`<h1>Incidents</h1>
    ${options.error ? html`<p class="error">${options.error}</p>` : ''}
    <form class="filters" method="get" action="/">
      <label>status<select name="status"><option value="">any</option>${options_(
        all.map((i) => i.status),
        filter.status,
      )}</select></label>
      <label>family<select name="family"><option value="">any</option>${options_(all.map(familyOf), filter.family)}</select></label>
      <label>pipeline<select name="pipeline"><option value="">any</option>${options_(
        all.map((i) => i.event.pipeline),
        filter.pipeline,
      )}</select></label>
      <label>since<input type="date" name="since" value="${filter.since ?? ''}"></label>
      <label>&nbsp;<button type="submit">Filter</button></label>
    </form>
    <p class="muted">${shown.length} of ${all.length} incidents</p>
    <table><thead><tr><th>incident</th><th>status</th><th>family</th><th>pipeline</th><th>action</th><th>started</th><th>took</th><th>summary</th></tr></thead>
    <tbody>${rows}</tbody></table>`,
    options,
  );
}

export function incidentPage(
  incident: IncidentRecord,
  audit: readonly AuditRecord[],
  preview: readonly QuarantinePreview[],
  options: PageOptions & { csrf: string },
): string {
  const d = incident.decision;
  const findings = d?.diagnosis.findings ?? [];
  const evidence = audit.find((r) => r.step === 'evidence')?.data as { logTail?: string } | undefined;
  const qValues = d ? Object.entries(d.proposal.qValues).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)) : [];
  const rows = incident.result?.rows;
  return layout(
    incident.id,
    html`<h1>Incident ${incident.id} <span class="status status-${incident.status}">${incident.status}</span></h1>
    <p>${incident.summary}</p>
    <table><tbody>
      <tr><th>pipeline / job / run</th><td>${incident.event.pipeline} / ${incident.event.job} / ${incident.event.runId}</td></tr>
      <tr><th>started</th><td>${incident.startedAt}${incident.durationMs === undefined ? '' : ` (took ${(incident.durationMs / 1000).toFixed(2)} s)`}</td></tr>
      <tr><th>family</th><td>${d ? `${d.diagnosis.classification.family} (rule ${d.diagnosis.classification.rule}, confidence ${d.diagnosis.classification.confidence.toFixed(2)})` : '-'}</td></tr>
      <tr><th>matched line</th><td><code>${d?.diagnosis.classification.line ?? ''}</code></td></tr>
      <tr><th>risk / quality</th><td>${d ? `${d.diagnosis.risk.level} / ${d.diagnosis.quality}` : '-'}</td></tr>
      <tr><th>action</th><td>${incident.action ?? '-'}${d ? ` (mode ${d.mode}, ${d.disposition})` : ''}</td></tr>
      ${incident.group ? html`<tr><th>group</th><td>${incident.group.cause}: ${incident.group.linkedEventIds.length} linked failures</td></tr>` : ''}
    </tbody></table>
    ${incident.status === 'awaiting_approval' ? approvalForms(incident, options) : ''}
    <h2>Findings (${findings.length})</h2>
    ${
      findings.length
        ? html`<table><thead><tr><th>kind</th><th>column</th><th>severity</th><th>message</th></tr></thead><tbody>${findings.map(
            (f) =>
              html`<tr><td>${f.kind}</td><td>${'column' in f ? String(f.column ?? '') : ''}</td><td>${f.severity}</td><td>${f.message}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted">none</p>`
    }
    <h2>Decision trace</h2>
    ${
      d
        ? html`<p>State <code>${d.state.family}|${d.state.risk}|${d.state.quality}</code>; policy <code>${d.proposal.policyVersion}</code> proposed <b>${d.proposal.action}</b> (propensity ${d.proposal.propensity.toFixed(2)}); the guard ruled <b>${d.verdict.final}</b>: ${d.verdict.reason}</p>
          <table><thead><tr><th>action</th><th>Q-value</th></tr></thead><tbody>${qValues.map(
            ([a, q]) => html`<tr><td>${a}</td><td class="heat">${(q ?? 0).toFixed(3)}</td></tr>`,
          )}</tbody></table>
          <h2>Guard rules that fired</h2>
          ${
            d.verdict.fired.length
              ? html`<table><thead><tr><th>rule</th><th>effect</th><th>reason</th></tr></thead><tbody>${d.verdict.fired.map(
                  (r) => html`<tr><td><code>${r.id}</code></td><td>${r.effect}</td><td>${r.reason}</td></tr>`,
                )}</tbody></table>`
              : html`<p class="muted">none: the proposal passed every rule</p>`
          }
          <pre>${d.explanation.join('\n')}</pre>`
        : html`<p class="muted">no decision recorded</p>`
    }
    <h2>Validation</h2>
    ${
      incident.validation
        ? html`<table><thead><tr><th>check</th><th>passed</th><th>detail</th></tr></thead><tbody>${incident.validation.checks.map(
            (c) => html`<tr><td>${c.name}</td><td>${c.passed ? 'yes' : 'NO'}</td><td>${c.detail}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted">no validation (nothing was executed)</p>`
    }
    <h2>Row accounting</h2>
    ${
      rows
        ? html`<p>${rows.rowsIn} rows in = ${rows.rowsDelivered} delivered + ${rows.rowsQuarantined} quarantined${rows.rowsIn === rows.rowsDelivered + rows.rowsQuarantined ? ' (balanced)' : ' (NOT balanced)'}</p>`
        : html`<p class="muted">the action touched no rows</p>`
    }
    ${preview.map(
      (
        p,
      ) => html`<h2>Quarantined rows (${p.rows.length} of ${p.total}) <span class="muted">${p.file}</span></h2>
      <table class="quarantine"><thead><tr>${p.columns.map((col) => html`<th>${col}</th>`)}</tr></thead><tbody>${p.rows.map(
        (r) =>
          html`<tr>${p.columns.map((col) => html`<td>${r[col] === null || r[col] === undefined ? 'NULL' : String(r[col])}</td>`)}</tr>`,
      )}</tbody></table>`,
    )}
    <h2>Evidence: log tail</h2><pre>${evidence?.logTail ?? '(not recorded)'}</pre>
    <h2>Audit (${audit.length} records)</h2>
    <table><thead><tr><th>seq</th><th>step</th><th>at</th><th>hash</th></tr></thead><tbody>${audit.map(
      (r) =>
        html`<tr><td>${r.seq}</td><td>${r.step}</td><td>${r.at}</td><td><code>${r.hash.slice(0, 16)}</code></td></tr>`,
    )}</tbody></table>`,
    options,
  );
}

function approvalForms(incident: IncidentRecord, options: PageOptions & { csrf: string }): Safe {
  if (options.readOnly)
    return html`<p class="notice">Awaiting approval to <b>${incident.action ?? '?'}</b>. The dashboard is read-only: set HEALER_TOKEN (and start it with --pipelines) to approve here, or run <code>healer approve ${incident.id}</code>.</p>`;
  const id = encodeURIComponent(incident.id);
  return html`<div class="notice"><p>Awaiting approval to <b>${incident.action ?? '?'}</b>. Approving re-checks the facts first.</p>
    <form method="post" action="/incidents/${id}/approve" class="filters" id="approve-form">
      <input type="hidden" name="csrf" value="${options.csrf}">
      <label>token<input type="password" name="token" required></label>
      <label>by<input name="by" placeholder="your name"></label>
      <label>note<input name="note"></label>
      <label>&nbsp;<button type="submit">Approve</button></label>
    </form>
    <form method="post" action="/incidents/${id}/reject" class="filters" id="reject-form">
      <input type="hidden" name="csrf" value="${options.csrf}">
      <label>token<input type="password" name="token" required></label>
      <label>by<input name="by" placeholder="your name"></label>
      <label>reason<input name="reason" required></label>
      <label>&nbsp;<button type="submit" class="reject">Reject</button></label>
    </form></div>`;
}

export function approvalsPage(
  pending: readonly IncidentRecord[],
  options: PageOptions & { csrf: string },
): string {
  return layout(
    'Approvals',
    html`<h1>Approvals (${pending.length} pending)</h1>
    ${
      pending.length === 0
        ? html`<p class="muted">Nothing awaits approval.</p>`
        : pending.map(
            (i) =>
              html`<h2><a href="/incidents/${encodeURIComponent(i.id)}">${i.id}</a>: ${i.event.pipeline}, ${familyOf(i)}</h2><p>${i.summary}</p>${approvalForms(i, options)}`,
          )
    }`,
    options,
  );
}

export function policyPage(
  versions: readonly PolicyVersion[],
  a: string | undefined,
  b: string | undefined,
  options: PageOptions,
): string {
  const current = versions.find((v) => v.current) ?? versions[0];
  if (!current) return messagePage('Policy', 'no policy artifact found', options);
  const actions = ACTIONS.filter((x) => current.artifact.actions.includes(x));
  const values = Object.values(current.artifact.qTable).flatMap((row) =>
    Object.values(row ?? {}).map((v) => v ?? 0),
  );
  const lo = Math.min(0, ...values);
  const hi = Math.max(1e-9, ...values);
  const cell = (v: number) => {
    const t = v >= 0 ? v / hi : v / lo;
    const color =
      v >= 0
        ? `rgba(31,138,76,${(0.1 + 0.75 * t).toFixed(2)})`
        : `rgba(194,65,12,${(0.1 + 0.75 * t).toFixed(2)})`;
    return new Safe(`background:${color}`);
  };
  const states = allStates()
    .map(stateKey)
    .filter((k) => current.artifact.qTable[k]);
  const pick = (name: string | undefined) => versions.find((v) => v.name === name);
  const va = pick(a);
  const vb = pick(b);
  const diff: ArtifactDiff | undefined = va && vb ? diffArtifacts(va.artifact, vb.artifact) : undefined;
  const choice = (field: string, selected?: string) =>
    html`<select name="${field}">${versions.map((v) => html`<option value="${v.name}" ${new Safe(v.name === selected ? 'selected' : '')}>${v.name}</option>`)}</select>`;
  return layout(
    'Policy',
    html`<h1>Policy ${current.name} <span class="muted">hash ${current.artifact.hash.slice(0, 12)}, created ${current.artifact.createdAt}</span></h1>
    <h2>Q-table (state × action; the outlined cell is the greedy action)</h2>
    <table class="heatmap"><thead><tr><th>state</th>${actions.map((x) => html`<th>${x}</th>`)}</tr></thead><tbody>${states.map(
      (k) => {
        const row = current.artifact.qTable[k] ?? {};
        const best = artifactGreedy(current.artifact, k);
        return html`<tr><td><code>${k}</code></td>${actions.map(
          (x) =>
            html`<td class="heat ${x === best ? 'best' : ''}" style="${cell(row[x] ?? 0)}">${(row[x] ?? 0).toFixed(2)}</td>`,
        )}</tr>`;
      },
    )}</tbody></table>
    <h2>Versions</h2>
    <table><thead><tr><th>name</th><th>hash</th><th>created</th><th>training</th></tr></thead><tbody>${versions.map(
      (v) =>
        html`<tr><td>${v.name}${v.current ? ' (current)' : ''}</td><td><code>${v.artifact.hash.slice(0, 12)}</code></td><td>${v.artifact.createdAt}</td><td><code>${JSON.stringify(v.artifact.training).slice(0, 120)}</code></td></tr>`,
    )}</tbody></table>
    <h2>Compare two versions</h2>
    <form class="filters" method="get" action="/policy">${choice('a', a)}${choice('b', b)}<button type="submit">Diff</button></form>
    ${
      diff
        ? diff.identical
          ? html`<p>The two versions are identical.</p>`
          : html`<p>${diff.states.length} states differ (${diff.states.filter((s) => s.greedyChanged).length} change their greedy action).</p>
            <table><thead><tr><th>state</th><th>greedy a</th><th>greedy b</th><th>changed values</th></tr></thead><tbody>${diff.states.map(
              (s) =>
                html`<tr><td><code>${s.state}</code></td><td>${s.greedyA}</td><td>${s.greedyB}</td><td>${s.changes.map((c) => `${c.action} ${c.a.toFixed(2)}→${c.b.toFixed(2)}`).join(', ')}</td></tr>`,
            )}</tbody></table>`
        : ''
    }`,
    options,
  );
}

export function chartsPage(
  incidents: readonly IncidentRecord[],
  precision: readonly FamilyPrecision[],
  threshold: number,
  options: PageOptions,
): string {
  const trend = dailyTrend(incidents);
  const families = outcomesByFamily(incidents);
  return layout(
    'Charts',
    html`<h1>Charts <span class="muted">${incidents.length} incidents</span></h1>
    <div class="cards">
      ${new Safe(
        lineChart(
          'Median time to resolution per day (resolved incidents)',
          trend.map((t) => t.day.slice(5)),
          trend.map((t) => t.medianResolutionSeconds),
          { unit: ' s' },
        ),
      )}
      ${new Safe(
        lineChart(
          'Escalation rate per day',
          trend.map((t) => t.day.slice(5)),
          trend.map((t) => t.escalationRate),
          { max: 1 },
        ),
      )}
      ${new Safe(
        stackedBars(
          'Outcomes per failure family',
          families.map((f) => f.family),
          [
            { name: 'resolved', className: 'resolved', values: families.map((f) => f.resolved) },
            { name: 'escalated', className: 'escalated', values: families.map((f) => f.escalated) },
            { name: 'other', className: 'other', values: families.map((f) => f.other) },
          ],
        ),
      )}
      ${
        precision.length
          ? new Safe(
              lineChart(
                `Shadow precision per family (dashed: autonomy threshold ${threshold})`,
                precision.map((p) => p.family),
                precision.map((p) => p.precision),
                { max: 1, threshold },
              ),
            )
          : html`<figure><figcaption>Shadow precision per family</figcaption><p class="muted">No labelled shadow decisions yet.</p></figure>`
      }
    </div>`,
    options,
  );
}
