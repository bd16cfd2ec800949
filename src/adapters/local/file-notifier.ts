// Escalation to a file: `.healer/escalations/<incident>.json` with the full evidence and the
// decision trace, written atomically, for the human who picks the incident up.

import { join } from 'node:path';
import { escalationHeadline } from '../../core/escalation-headline.js';
import type { RemediationStep } from '../../core/outcome.js';
import { redactDeep } from '../../core/redact.js';
import type { Escalation, Notifier } from '../../ports.js';
import { writeFileAtomic } from './atomic-file.js';
import { safeName } from './local-catalog.js';

/**
 * @example
 * await new FileNotifier('.healer/escalations').escalate(escalation);
 */
export class FileNotifier implements Notifier {
  constructor(readonly dir: string) {}

  /** Where the escalation of an incident is written. */
  pathFor(incidentId: string): string {
    return join(this.dir, `${safeName(incidentId)}.json`);
  }

  async escalate(e: Escalation): Promise<RemediationStep[]> {
    const file = this.pathFor(e.incidentId);
    try {
      await writeFileAtomic(
        file,
        `${JSON.stringify(redactDeep({ headline: escalationHeadline(e), ...e }), null, 2)}\n`,
      );
      return [{ name: 'notify_file', status: 'applied', detail: file }];
    } catch (error) {
      return [{ name: 'notify_file', status: 'failed', detail: String(error) }];
    }
  }
}
