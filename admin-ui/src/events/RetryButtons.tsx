import { useEffect, useState } from 'react';
import { Box, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, LinearProgress, Tooltip } from '@mui/material';
import ReplayIcon from '@mui/icons-material/Replay';
import { Button, Confirm, useDataProvider, useListContext, useNotify, useRecordContext, useRefresh, useUnselectAll } from 'react-admin';
import { errorMessage } from '../api';
import type { BusDataProvider } from '../dataProvider';
import { useCan } from '../permissions';
import { formatNumber } from '../shared/format';
import { RETRYABLE_STATUSES, type EventRecord, type EventStatus, type RetryRun } from '../types';

const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

function requeuedMessage(requested: number, requeued: number): string {
  const skipped = requested - requeued;
  const head = requeued ? `${plural(requeued, 'event')} queued again; they will be sent to Meta within seconds.` : 'No event was queued again.';
  return skipped ? `${head} ${plural(skipped, 'event was', 'events were')} not failed or not delivered and left as they are.` : head;
}

/** Retry by id behind a confirmation: the dialog's state and the request, shared by the list's bulk action and the event page's button. */
function useRetryIds(message: (r: { requested: number; requeued: number }) => string, afterSuccess?: () => void) {
  const dataProvider = useDataProvider<BusDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const retry = async (ids: number[]) => {
    setBusy(true);
    try {
      const result = await dataProvider.retryEvents(ids);
      notify(message(result), { type: result.requeued ? 'success' : 'warning' });
      afterSuccess?.();
      refresh();
    } catch (err) {
      notify(`Retry failed: ${errorMessage(err)}`, { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return { open, setOpen, busy, retry };
}

/** Bulk action of the events list: retry the selected failed / not delivered events, after a confirmation. */
export function RetrySelectedButton() {
  const { selectedIds, data } = useListContext<EventRecord>();
  const unselectAll = useUnselectAll('events');
  const { open, setOpen, busy, retry } = useRetryIds((r) => requeuedMessage(r.requested, r.requeued), unselectAll);
  if (!useCan('events', 'retry')) return null;

  const retryable = (data ?? []).filter((e) => selectedIds.includes(e.id) && RETRYABLE_STATUSES.includes(e.status)).length;
  const confirm = () => retry(selectedIds as number[]);
  return (
    <>
      <Button label="Retry" onClick={() => setOpen(true)} disabled={busy}>
        <ReplayIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title={`Retry ${plural(selectedIds.length, 'event')}?`}
        content={
          retryable === selectedIds.length
            ? 'They go back to the queue and are sent to Meta again within seconds. Make sure the cause of the failure is fixed first, or they will fail again.'
            : `${plural(retryable, 'of them is', 'of them are')} failed or not delivered and will be queued again; the others are left as they are.`
        }
        confirm="Retry"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

/** Retry button of one event (event page). */
export function RetryOneButton() {
  const record = useRecordContext<EventRecord>();
  const { open, setOpen, busy, retry } = useRetryIds((r) =>
    r.requeued ? 'The event is queued again; it will be sent to Meta within seconds.' : 'The event was not failed or not delivered any more; nothing to retry.',
  );
  const can = useCan('events', 'retry');
  if (!record || !can || !RETRYABLE_STATUSES.includes(record.status)) return null;
  const confirm = () => retry([record.id]);
  return (
    <>
      <Button label="Retry this event" onClick={() => setOpen(true)} disabled={busy} variant="contained">
        <ReplayIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title="Retry this event?"
        content="It goes back to the queue and is sent to Meta again within seconds."
        confirm="Retry"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

/** The statuses "retry all matching" would touch for the current filter, or why none. */
function retryableStatuses(filter: Record<string, unknown>): { statuses: EventStatus[]; reason?: string } {
  const raw = filter.status;
  const asked = (raw === undefined || raw === null || raw === '' ? [] : Array.isArray(raw) ? raw : [raw]) as EventStatus[];
  if (!asked.length) return { statuses: [...RETRYABLE_STATUSES] };
  const statuses = asked.filter((s) => RETRYABLE_STATUSES.includes(s));
  return statuses.length ? { statuses } : { statuses, reason: 'Only failed and not delivered events can be retried: set the Status filter to Failed or Not delivered, or clear it.' };
}

type Phase = { step: 'closed' } | { step: 'counting' } | { step: 'confirm'; count: number } | { step: 'running'; run: RetryRun } | { step: 'error'; message: string };

/**
 * "Retry all matching this filter": counts the failed / not delivered events the current filters
 * match, asks for confirmation, starts a retry run on the server and follows its progress.
 */
export function RetryMatchingButton() {
  const { filterValues } = useListContext<EventRecord>();
  const dataProvider = useDataProvider<BusDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [phase, setPhase] = useState<Phase>({ step: 'closed' });
  const can = useCan('events', 'retry');
  const { statuses, reason } = retryableStatuses(filterValues);
  const filter = { ...filterValues, status: statuses };

  const runId = phase.step === 'running' ? phase.run.id : undefined;
  const finished = phase.step === 'running' && (phase.run.status === 'done' || phase.run.status === 'failed');
  useEffect(() => {
    if (runId === undefined || finished) return;
    const timer = setInterval(() => {
      dataProvider
        .getRetryRun(runId)
        .then((run) => setPhase((p) => (p.step === 'running' && p.run.id === run.id ? { step: 'running', run } : p)))
        .catch((err: unknown) => setPhase({ step: 'error', message: errorMessage(err) }));
    }, 1000);
    return () => clearInterval(timer);
  }, [runId, finished, dataProvider]);
  useEffect(() => {
    if (finished) refresh();
  }, [finished, refresh]);

  if (!can) return null;

  const open = async () => {
    setPhase({ step: 'counting' });
    try {
      const { total } = await dataProvider.getList('events', { filter, pagination: { page: 1, perPage: 1 }, sort: { field: 'id', order: 'DESC' } });
      setPhase({ step: 'confirm', count: total ?? 0 });
    } catch (err) {
      setPhase({ step: 'error', message: errorMessage(err) });
    }
  };
  const start = async () => {
    try {
      const run = await dataProvider.retryMatching(filter);
      setPhase({ step: 'running', run });
    } catch (err) {
      setPhase({ step: 'error', message: errorMessage(err) });
    }
  };
  const close = () => {
    if (phase.step === 'running' && phase.run.status === 'done') notify(requeuedMessage(phase.run.processed, phase.run.requeued), { type: 'success' });
    setPhase({ step: 'closed' });
  };

  const button = (
    <Button label="Retry all matching" onClick={open} disabled={Boolean(reason) || phase.step !== 'closed'}>
      <ReplayIcon />
    </Button>
  );
  return (
    <>
      {reason ? (
        <Tooltip title={reason}>
          <span>{button}</span>
        </Tooltip>
      ) : (
        button
      )}
      <Dialog open={phase.step !== 'closed'} onClose={phase.step === 'running' && !finished ? undefined : close} maxWidth="sm" fullWidth aria-labelledby="retry-matching-title">
        <DialogTitle id="retry-matching-title">Retry all matching events</DialogTitle>
        <DialogContent>
          <RetryMatchingBody phase={phase} statuses={statuses} />
        </DialogContent>
        <DialogActions>
          {phase.step === 'confirm' && (
            <>
              <MuiButton onClick={close}>Cancel</MuiButton>
              <MuiButton variant="contained" onClick={start} disabled={phase.count === 0} startIcon={<ReplayIcon />}>
                Retry {plural(phase.count, 'event')}
              </MuiButton>
            </>
          )}
          {(phase.step === 'error' || phase.step === 'counting' || (phase.step === 'running' && !finished)) && (
            <MuiButton onClick={close} disabled={phase.step === 'counting'}>
              {phase.step === 'running' ? 'Continue in the background' : 'Close'}
            </MuiButton>
          )}
          {finished && (
            <MuiButton variant="contained" onClick={close}>
              Close
            </MuiButton>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}

function RetryMatchingBody({ phase, statuses }: { phase: Phase; statuses: EventStatus[] }) {
  const which = statuses.length === 2 ? 'failed or not delivered' : statuses[0] === 'failed' ? 'failed' : 'not delivered';
  switch (phase.step) {
    case 'counting':
      return (
        <Box>
          <DialogContentText>Counting the events that match your filters…</DialogContentText>
          <LinearProgress sx={{ mt: 2 }} />
        </Box>
      );
    case 'confirm':
      return phase.count === 0 ? (
        <DialogContentText>No {which} event matches the current filters: there is nothing to retry.</DialogContentText>
      ) : (
        <DialogContentText>
          {plural(phase.count, `${which} event matches`, `${which} events match`)} the current filters. They all go back to the queue and are sent to Meta again. Make sure the cause of the failure is fixed
          first. This runs in the background; you can close this window.
        </DialogContentText>
      );
    case 'running': {
      const { run } = phase;
      const pct = Math.round(run.progress * 100);
      return (
        <Box data-testid="retry-run" data-run-status={run.status}>
          <DialogContentText>
            {run.status === 'pending' && 'Waiting for the worker to start the retry…'}
            {run.status === 'running' && `Queuing events again: ${formatNumber(run.processed)} of ${formatNumber(run.total)}…`}
            {run.status === 'done' && `Done: ${plural(run.requeued, 'event')} queued again (${formatNumber(run.processed)} checked). They will be sent to Meta within seconds.`}
            {run.status === 'failed' && `The retry stopped: ${run.error ?? 'unknown error'}. Events queued so far stay queued; try again.`}
          </DialogContentText>
          <LinearProgress variant="determinate" value={pct} sx={{ mt: 2, height: 8, borderRadius: 1 }} color={run.status === 'failed' ? 'error' : run.status === 'done' ? 'success' : 'primary'} />
          <DialogContentText variant="caption">{pct}%</DialogContentText>
        </Box>
      );
    }
    case 'error':
      return <DialogContentText color="error">{phase.message}</DialogContentText>;
    default:
      return null;
  }
}
