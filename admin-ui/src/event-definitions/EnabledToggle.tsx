import type { MouseEvent } from 'react';
import { Chip, FormControlLabel, Switch, Tooltip } from '@mui/material';
import { useNotify, useRecordContext, useUpdate } from 'react-admin';
import { errorMessage } from '../api';
import { useCan } from '../permissions';
import type { DefinitionRecord } from '../types';

/**
 * On/off switch of an event definition, right in the list: one click, applied at once
 * (optimistically) and effective for the next event the bus receives. Viewers see the state only.
 */
export function EnabledToggle(_props: { label?: string; source?: string }) {
  const record = useRecordContext<DefinitionRecord>();
  const notify = useNotify();
  const canEdit = useCan('event-definitions', 'edit');
  const [update, { isPending }] = useUpdate<DefinitionRecord>();
  if (!record) return null;

  if (!canEdit) {
    return <Chip size="small" label={record.enabled ? 'On' : 'Off'} color={record.enabled ? 'success' : 'default'} variant="outlined" />;
  }

  const toggle = (e: MouseEvent) => {
    e.stopPropagation(); // the row itself opens the edit page
    const enabled = !record.enabled;
    update(
      'event-definitions',
      { id: record.id, data: { enabled }, previousData: record },
      {
        mutationMode: 'optimistic',
        onSuccess: () =>
          notify(
            enabled
              ? `${record.name} is on: new ${record.name} events are sent to Meta.`
              : `${record.name} is off: new ${record.name} events are stored as skipped and not sent to Meta.`,
            { type: 'info' },
          ),
        onError: (err) => notify(`${record.name} could not be switched ${enabled ? 'on' : 'off'}: ${errorMessage(err)}`, { type: 'error' }),
      },
    );
  };

  return (
    <Tooltip title={record.enabled ? `Click to stop sending ${record.name} to Meta` : `Click to send ${record.name} to Meta`}>
      <FormControlLabel
        onClick={(e) => e.stopPropagation()}
        control={
          <Switch
            checked={record.enabled}
            onClick={toggle}
            disabled={isPending}
            color="success"
            slotProps={{ input: { 'aria-label': `${record.name} enabled` } }}
            data-testid={`toggle-${record.name}`}
          />
        }
        label={record.enabled ? 'On' : 'Off'}
      />
    </Tooltip>
  );
}
