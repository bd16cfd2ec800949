// The simulated source tables (orders, customers, events): their contract schemas and a seeded
// generator of realistic rows, the raw material every fault is injected into.

import type { Rng } from '../core/policy/rng.js';
import type { LogicalType, SchemaField, TableSchema } from '../core/schema.js';

/** One generated row. Struct columns hold nested objects (`address: { city, zip }`). */
export type Row = Record<string, unknown>;

export interface SimTable {
  name: string;
  schema: TableSchema;
  keys: string[];
  /** Columns the contract requires (non-nullable, scalar, top level): where null spikes and invalid values go. */
  required: string[];
  /** Numeric or temporal columns whose values arrive as text when a writer changes (validity faults). */
  parseable: string[];
  makeRow(rng: Rng, i: number): Row;
}

const RAW: Record<LogicalType, string> = {
  boolean: 'BOOLEAN',
  int32: 'INTEGER',
  int64: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  decimal: 'DECIMAL(18,2)',
  string: 'VARCHAR',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
  struct: 'STRUCT',
  list: 'LIST',
  map: 'MAP',
  unknown: 'UNKNOWN',
};

/** Builds a field with the DuckDB spelling of its type. */
export function field(path: string, type: LogicalType, nullable = true): SchemaField {
  return { path, type, rawType: RAW[type], nullable };
}

export function rawTypeOf(type: LogicalType): string {
  return RAW[type];
}

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'BR', 'IN', 'JP', 'NL', 'ES', 'CA'];
const CITIES = ['Lisbon', 'Austin', 'Berlin', 'Osaka', 'Lyon', 'Leeds', 'Recife', 'Pune'];
const STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'returned'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'BRL', 'JPY'];
const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'search', 'login'];
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

const DAYS = new Map<number, string>();
const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DD hh:mm:ss` (UTC); day strings are cached because this runs for every generated row. */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let d = DAYS.get(day);
  if (d === undefined) {
    d = new Date(day * DAY).toISOString().slice(0, 10);
    DAYS.set(day, d);
  }
  const s = Math.floor((ms - day * DAY) / 1000);
  return `${d} ${p2(Math.floor(s / 3600))}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}`;
}

export const ORDERS: SimTable = {
  name: 'orders',
  schema: {
    name: 'orders',
    version: 'v1',
    fields: [
      field('order_id', 'int64', false),
      field('customer_id', 'int64', false),
      field('amount', 'double', false),
      field('currency', 'string', false),
      field('status', 'string', true),
      field('created_at', 'timestamp', false),
    ],
  },
  keys: ['order_id'],
  required: ['customer_id', 'amount', 'currency', 'created_at'],
  parseable: ['amount', 'created_at'],
  makeRow: (rng, i) => ({
    order_id: 100_000 + i,
    customer_id: 1 + rng.int(5000),
    amount: Math.round((5 + rng.next() * 495) * 100) / 100,
    currency: pick(rng, CURRENCIES),
    status: rng.next() < 0.02 ? null : pick(rng, STATUSES),
    created_at: iso(T0 + rng.int(30 * DAY)),
  }),
};

export const CUSTOMERS: SimTable = {
  name: 'customers',
  schema: {
    name: 'customers',
    version: 'v1',
    fields: [
      field('customer_id', 'int64', false),
      field('email', 'string', false),
      field('country', 'string', false),
      field('signup_date', 'date', false),
      field('address', 'struct', true),
      field('address.city', 'string', true),
      field('address.zip', 'string', true),
    ],
  },
  keys: ['customer_id'],
  required: ['email', 'country', 'signup_date'],
  parseable: ['signup_date'],
  makeRow: (rng, i) => ({
    customer_id: 1 + i,
    email: `user${i}.${rng.int(1000)}@example.com`,
    country: pick(rng, COUNTRIES),
    signup_date: iso(T0 - rng.int(900) * DAY).slice(0, 10),
    address: { city: pick(rng, CITIES), zip: String(10_000 + rng.int(89_999)) },
  }),
};

export const EVENTS: SimTable = {
  name: 'events',
  schema: {
    name: 'events',
    version: 'v1',
    fields: [
      field('event_id', 'string', false),
      field('user_id', 'int64', false),
      field('event_type', 'string', false),
      field('ts', 'timestamp', false),
      field('value', 'double', true),
      field('session_id', 'string', true),
    ],
  },
  keys: ['event_id'],
  required: ['user_id', 'event_type', 'ts'],
  parseable: ['ts', 'user_id'],
  makeRow: (rng, i) => ({
    event_id: `ev-${(i * 2654435761) >>> 0}`,
    user_id: 1 + rng.int(20_000),
    event_type: pick(rng, EVENT_TYPES),
    ts: iso(T0 + rng.int(DAY)),
    value: rng.next() < 0.3 ? null : Math.round(rng.next() * 10_000) / 100,
    session_id: `s-${rng.int(4000)}`,
  }),
};

export const SIM_TABLES: readonly SimTable[] = [ORDERS, CUSTOMERS, EVENTS];

/** `n` fresh rows of a table; row ids start at `offset` so two batches never share keys. */
export function makeRows(table: SimTable, rng: Rng, n: number, offset = 0): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push(table.makeRow(rng, offset + i));
  return rows;
}
