/**
 * What the features plug into the shared mechanisms, wired by the composition root (src/app.ts) and
 * the entry points: the ledgers that can be imported (in detection order), where a file sent to the
 * bot can be attached, and how a membership ends. Shared code never imports a feature; it gets these.
 */
import type { AttachTargets } from '../core/contracts.ts';
import type { Importer } from '../ledger/import-kit.ts';
import { taskAttachTargets } from './duties/attach.ts';
import { dutyImporter } from './duties/import.ts';
import { lifeAttachTargets } from './life/attach.ts';
import { sessionAttachTargets } from './meetings/attach.ts';
import { studyPlanImporter } from './meetings/study-import.ts';
import { rosterImporter } from './membership/roster-import.ts';
import { rectificationAttachTargets } from './rectification/attach.ts';
import { rectificationImporter } from './rectification/import.ts';

export { conversation } from './intent/service.ts';
export { endMembership } from './membership/service.ts';

export const importers: readonly Importer[] = [rectificationImporter, dutyImporter, studyPlanImporter, rosterImporter];

/**
 * Offered in this order on the attach form: the sender's open items and tasks, then recent sessions,
 * then their 对照检查材料 of an open 组织生活会 (last: the first option is preselected, and evidence
 * for an item is the common case).
 */
export const attachTargets: readonly AttachTargets[] = [
  rectificationAttachTargets,
  taskAttachTargets,
  sessionAttachTargets,
  lifeAttachTargets,
];
