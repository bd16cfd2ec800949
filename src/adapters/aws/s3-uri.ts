// `s3://bucket/key` parsing shared by the S3-backed adapters of this family.

import { InvalidInputError } from '../../core/errors.js';

export interface S3Location {
  bucket: string;
  key: string;
}

/** Parses `s3://bucket/prefix/key`; throws an InvalidInputError naming the value otherwise. */
export function parseS3Uri(uri: string, where = 'location'): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) throw new InvalidInputError(`${where}: ${JSON.stringify(uri)} is not an s3://bucket/key URI`);
  return { bucket: match[1]!, key: match[2] ?? '' };
}

/** Joins an s3:// prefix and a relative path with exactly one slash. */
export function joinS3(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
