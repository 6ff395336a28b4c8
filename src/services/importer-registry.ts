/** Every ledger that can be imported from a spreadsheet, in detection order. */

import { dutyImporter } from './duty-import.ts';
import type { Importer } from './importers.ts';
import { rectificationImporter } from './rect-import.ts';
import { studyPlanImporter } from './study-import.ts';

export const importers: readonly Importer[] = [
  rectificationImporter as Importer,
  dutyImporter as Importer,
  studyPlanImporter as Importer,
];
