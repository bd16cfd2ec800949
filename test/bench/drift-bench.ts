// `npm run bench:drift`: precision and recall of `healer drift` on the real-data drift corpus
// (controls that must raise nothing, injected drifts that must be seen). `--json` prints one line;
// `--all` adds every other CSV and JSON file of vega-datasets (held out: never used for tuning).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckdbDataEngine } from '../../src/adapters/duckdb/index.js';
import { allDatasets, buildCases, type CaseResult, CORPUS_DATASETS, runCase, score } from './drift-corpus.js';

const CONTROL_LABEL = new Set(['halves', 'bootstrap', 'reshuffle']);
const json = process.argv.includes('--json');
const datasets: readonly string[] = process.argv.includes('--all') ? await allDatasets() : CORPUS_DATASETS;
const dir = await mkdtemp(join(tmpdir(), 'healer-drift-bench-'));
const engine = new DuckdbDataEngine();
const results: CaseResult[] = [];
try {
  for (const dataset of datasets) {
    for (const c of await buildCases(dataset, dir)) {
      const r = await runCase(engine, c);
      results.push(r);
      const wrong = c.control ? r.alarms.length > 0 : !r.detected;
      if (!json && wrong)
        console.log(
          `${c.control ? 'FALSE ALARM' : 'MISSED'} ${dataset} ${c.name}${c.column ? ` (${c.column})` : ''}: ${
            r.alarms.map((f) => `${f.kind}/${f.severity} ${f.message}`).join('; ') || 'no alarm'
          }`,
        );
    }
  }
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}
const s = score(results);
if (json) console.log(JSON.stringify({ bench: 'drift', datasets: datasets.length, ...s }));
else {
  console.log(`drift corpus: ${datasets.length} public datasets (vega-datasets), ${results.length} cases`);
  console.log(
    `controls: ${s.controls} (false alarms: ${s.falseAlarmControls}; with any finding, info included: ${s.controlsWithAnyFinding})`,
  );
  console.log(`drifts: ${s.drifts}, detected ${s.detected}`);
  for (const [kind, k] of Object.entries(s.byKind))
    console.log(
      `  ${kind.padEnd(13)} ${k.detected}/${k.cases} ${CONTROL_LABEL.has(kind) ? 'alarmed' : 'detected'} (${k.errors} at severity error)`,
    );
  console.log(`precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}`);
}
