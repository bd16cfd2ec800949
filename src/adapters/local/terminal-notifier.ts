// Escalation to the terminal: a short summary on standard error, for the person at the keyboard.

import { escalationHeadline } from '../../core/escalation-headline.js';
import type { RemediationStep } from '../../core/outcome.js';
import { redact } from '../../core/redact.js';
import type { Escalation, Notifier } from '../../ports.js';

/**
 * @example
 * const steps = await new TerminalNotifier((t) => process.stderr.write(t)).escalate(escalation);
 */
export class TerminalNotifier implements Notifier {
  constructor(private readonly write: (text: string) => void = (t) => process.stderr.write(t)) {}

  async escalate(e: Escalation): Promise<RemediationStep[]> {
    const trace = (e.decision?.explanation ?? []).map((line) => `    ${line}\n`).join('');
    this.write(
      redact(
        `healer: ESCALATED ${e.incidentId} ${e.pipeline}/${e.runId}\n  ${escalationHeadline(e)}\n${trace}`,
      ),
    );
    return [{ name: 'notify_terminal', status: 'applied' }];
  }
}
