// The signature library: every family's signatures in one list, in a fixed order (ties between
// equally specific signatures on the same line go to the earlier one).

import { CONFIG_SIGNATURES } from './config.js';
import { DATA_QUALITY_SIGNATURES } from './data-quality.js';
import { DEPENDENCY_SIGNATURES } from './dependency.js';
import { PERMISSION_SIGNATURES } from './permission.js';
import { RESOURCE_SIGNATURES } from './resource.js';
import { SCHEMA_SIGNATURES } from './schema.js';
import type { Signature } from './signature.js';
import { TRANSIENT_SIGNATURES } from './transient.js';

export type { Signature, SignatureFamily } from './signature.js';

/** Every signature the classifier knows. Permission first: a denial outranks what it causes. */
export const SIGNATURES: readonly Signature[] = [
  ...PERMISSION_SIGNATURES,
  ...RESOURCE_SIGNATURES,
  ...SCHEMA_SIGNATURES,
  ...DATA_QUALITY_SIGNATURES,
  ...DEPENDENCY_SIGNATURES,
  ...CONFIG_SIGNATURES,
  ...TRANSIENT_SIGNATURES,
];
