// Sends one escalation to every configured target; each reports its own step.

import type { RemediationStep } from '../../core/outcome.js';
import type { Escalation, Notifier } from '../../ports.js';

/** Fans an escalation out to several notifiers; one failing never stops the others. */
export class CompositeNotifier implements Notifier {
  constructor(private readonly targets: Notifier[]) {}

  async escalate(e: Escalation): Promise<RemediationStep[]> {
    const steps: RemediationStep[] = [];
    for (const t of this.targets) {
      try {
        steps.push(...(await t.escalate(e)));
      } catch (error) {
        steps.push({ name: 'notify', status: 'failed', detail: String(error) });
      }
    }
    return steps;
  }
}
