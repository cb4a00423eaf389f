import { Chip, Tooltip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import type { EventStatus } from '../types';
import { STATUS } from './statuses';

/** The coloured chip of an event status, with what the status means on hover. */
export function StatusChip({ status, size = 'small' }: { status: EventStatus; size?: 'small' | 'medium' }) {
  const info = STATUS[status];
  if (!info) return <Chip size={size} label={status} />;
  return (
    <Tooltip title={info.help}>
      <Chip
        size={size}
        label={info.label}
        data-status={status}
        sx={{ bgcolor: info.color, color: '#fff', fontWeight: 500 }}
      />
    </Tooltip>
  );
}

/** StatusChip of the record in context (`source` defaults to `status`). */
export function StatusField({ source = 'status' }: { source?: string; label?: string }) {
  const record = useRecordContext();
  const status = record?.[source] as EventStatus | undefined;
  return status ? <StatusChip status={status} /> : null;
}
