/**
 * What the commands do to runs: submit a script, cancel a run. Every refusal
 * of the server is shown to the user.
 */
import { Dialog, Notification, showErrorMessage } from '@jupyterlab/apputils';

import { errorMessage } from './api';
import { ask } from './dialogs';
import { SubmitForm } from './submitDialog';
import { IMLExt } from './tokens';
import { IRunInfo, ISubmitRequest } from './types';

/**
 * Ask for experiment, target and arguments, then submit `script` (a path
 * relative to the Jupyter root). Resolves to the new run, or null when the
 * user gave up or the submission failed (after saying why).
 */
export async function submitScript(service: IMLExt, script: string): Promise<IRunInfo | null> {
  const client = service.client;
  let experiments, targets;
  try {
    [experiments, targets] = await Promise.all([client.experiments(), client.computeTargets()]);
  } catch (reason) {
    await showErrorMessage('Cannot submit a run', errorMessage(reason));
    return null;
  }
  const form = new SubmitForm({
    script,
    experiment: service.settings.defaultExperiment || 'Default',
    experiments,
    targets
  });
  const request: ISubmitRequest | null = await ask(
    {
      title: 'Submit as run',
      body: form,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Submit' })],
      focusNodeSelector: script ? 'input[name="args"]' : 'input[name="script"]'
    },
    'Cannot submit a run'
  );
  if (request === null) {
    return null;
  }
  try {
    const run = await client.submit(request);
    Notification.success(`Submitted ${run.name} to ${run.compute ?? request.compute}`, { autoClose: 4000 });
    return run;
  } catch (reason) {
    await showErrorMessage('Submitting the run failed', errorMessage(reason));
    return null;
  }
}

/**
 * Ask the server to cancel a run.
 */
export async function cancelRun(service: IMLExt, id: string): Promise<void> {
  try {
    await service.client.cancel(id);
  } catch (reason) {
    await showErrorMessage('Cancel failed', errorMessage(reason));
  }
}
