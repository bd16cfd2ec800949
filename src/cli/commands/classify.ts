// `healer classify [FILE|-] [--json]`: classifies one job log into a failure family and prints the
// rule, the matched line and a confidence. Reads a file, or standard input for `-` or no argument.

import { classifyError } from '../../core/detect/error-classifier.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Classification, FailureFamily } from '../../core/failure-family.js';
import type { RegisterCommand } from '../commands.js';
import { readTextArg } from '../io.js';

/** What each family means for the operator, shown in the readable summary. */
const MEANING: Record<FailureFamily, string> = {
  transient:
    'a passing fault (throttling, dropped connection, 5xx); a retry with backoff is expected to work',
  resource: 'out of memory, disk or capacity; more resources or waiting for capacity is needed',
  schema: 'a column is missing, renamed or of another type than the job expects',
  data_quality: 'the schema is as expected but some values are not (unparseable, null, duplicate)',
  permission: 'access was denied or credentials expired; never retried blindly, a human must grant access',
  config: 'the job is misconfigured (arguments, options, libraries); a human must change it',
  dependency: 'an input the job needs is not there (yet): missing path, table, or upstream data',
  unknown: 'no known signature matched; healer escalates rather than guess',
};

export const register: RegisterCommand = (program, io) => {
  program
    .command('classify')
    .description('Classify a job log (Glue, Spark, PySpark, Airflow, S3, DuckDB) into a failure family')
    .argument('[file]', 'log file to read, or - for standard input', '-')
    .option('--json', 'print {"family","rule","confidence","line"} as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const log = await readLog(io, file);
      const result = classifyError(log);
      io.out(options.json === true ? `${JSON.stringify(toJson(result))}\n` : summary(result));
    });
};

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

async function readLog(io: Parameters<RegisterCommand>[1], file: string): Promise<string> {
  try {
    return await readTextArg(io, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code !== undefined ? READ_ERRORS[code] : undefined) ?? code ?? String(error);
    throw new InvalidInputError(`cannot read log file ${file}: ${reason}`, {
      cause: error,
      context: { file },
    });
  }
}

/** Exactly the four contract keys, in contract order. */
function toJson(c: Classification): Classification {
  return { family: c.family, rule: c.rule, confidence: c.confidence, line: c.line };
}

function summary(c: Classification): string {
  return [
    `family      ${c.family}`,
    `rule        ${c.rule}`,
    `confidence  ${c.confidence.toFixed(2)}`,
    `line        ${c.line === '' ? '(none)' : c.line}`,
    `meaning     ${MEANING[c.family]}`,
    '',
  ].join('\n');
}
