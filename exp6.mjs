import { DuckDBInstance } from '@duckdb/node-api';
const f = '/tmp/onepass/data.csv';
const which = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const g = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_csv('${f}', header=true, union_by_name=true)`)).getRowObjectsJson();
const types = [], sel = [], mis = [], selAll = [], misAll = [];
for (const r of g) { const v = `"${r.column_name}"`; const t = r.column_type; const lossy = /INT/.test(t) || t === 'DATE';
  const m = process.env.RT ? ((/INT/.test(t) || t === 'DATE') ? `(${v} IS NOT NULL AND COALESCE(CAST(TRY_CAST(${v} AS ${t}) AS VARCHAR) <> trim(${v}), true))` : `(${v} IS NOT NULL AND TRY_CAST(${v} AS ${t}) IS NULL)`) : `(${v} IS NOT NULL AND (TRY_CAST(${v} AS ${t}) IS NULL${/INT/.test(t) ? ` OR regexp_matches(${v}, '[.eE]')` : t === 'DATE' ? ` OR contains(${v}, ':')` : ''}))`;
  if (t !== 'VARCHAR') { selAll.push(`TRY_CAST(${v} AS ${t}) AS ${v}`); misAll.push(m); } else selAll.push(v);
  types.push(`'${r.column_name}': '${lossy ? 'VARCHAR' : t}'`);
  if (!lossy) { sel.push(v); continue; }
  sel.push(`TRY_CAST(${v} AS ${t}) AS ${v}`); mis.push(m); }
if (which === 'hybrid') await c.run(`CREATE TEMP TABLE s AS SELECT ${sel.join(', ')}, ${mis.join(' OR ') || 'false'} AS m FROM read_csv('${f}', header=true, types={${types.join(', ')}})`);
if (which === 'typed') await c.run(`CREATE TEMP TABLE s AS SELECT * FROM read_csv('${f}', header=true)`);
if (which === 'text') await c.run(`CREATE TEMP TABLE s AS SELECT ${selAll.join(', ')}, ${misAll.join(' OR ')} AS m FROM read_csv('${f}', header=true, all_varchar=true)`);
if (which === 'full') await c.run(`CREATE TEMP TABLE s AS SELECT * FROM read_csv('${f}', header=true, sample_size=-1)`);
if (which === 'summarize') await c.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv('${f}')`);
