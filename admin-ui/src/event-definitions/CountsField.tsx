import { Box, Tooltip, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { STATUS, STATUS_ORDER } from '../shared/statuses';
import { formatNumber } from '../shared/format';
import type { DefinitionRecord, StatusCounts } from '../types';

/** Received count of a period with a thin bar split by status (hover for the numbers). */
export function CountsField({ source }: { source: 'counts_24h' | 'counts_7d'; label?: string }) {
  const record = useRecordContext<DefinitionRecord>();
  const counts: StatusCounts | undefined = record?.[source];
  if (!counts) return null;
  if (!counts.total) {
    return (
      <Typography variant="body2" color="text.secondary">
        none
      </Typography>
    );
  }
  const parts = STATUS_ORDER.filter((s) => counts[s] > 0);
  const problems = (counts.failed ?? 0) + (counts.not_delivered ?? 0);
  return (
    <Tooltip
      title={
        <Box>
          {parts.map((s) => (
            <div key={s}>
              {STATUS[s].label}: {formatNumber(counts[s])}
            </div>
          ))}
        </Box>
      }
    >
      <Box sx={{ minWidth: 90 }}>
        <Typography variant="body2">
          {formatNumber(counts.total)}
          {problems > 0 && (
            <Typography component="span" variant="caption" color="error" sx={{ ml: 1 }}>
              {formatNumber(problems)} not sent
            </Typography>
          )}
        </Typography>
        <Box sx={{ display: 'flex', height: 4, borderRadius: 2, overflow: 'hidden', mt: 0.5, bgcolor: 'action.hover' }}>
          {parts.map((s) => (
            <Box key={s} sx={{ width: `${(counts[s] / counts.total) * 100}%`, bgcolor: STATUS[s].color }} />
          ))}
        </Box>
      </Box>
    </Tooltip>
  );
}
