// Which resource actions (`scale_resources`, `defer`) are open for one incident: the runtime has an
// executor, the authority allows the action, and there is a step to take or a condition to wait for.
// Feeds the resource rules in front of a policy; the guard checks the same facts again.

import type { Action } from './action.js';
import type { Authority } from './authority.js';
import type { Capabilities } from './decision.js';

export function resourceActionsAvailable(capabilities: Capabilities, authority: Authority): Action[] {
  const open: Action[] = [];
  const possible = (a: Action) => capabilities.supported.includes(a) && authority.allowedActions.includes(a);
  if (possible('scale_resources') && capabilities.scaleStep !== undefined) open.push('scale_resources');
  if (possible('defer') && capabilities.deferCondition !== undefined) open.push('defer');
  return open;
}
