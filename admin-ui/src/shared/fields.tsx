import type { ReactNode } from 'react';
import { Box, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { formatDateTime, formatRelative, formatShortDateTime } from './format';

/** A time as "Nov 21, 2026, 10:04 AM" with "3 minutes ago" on hover; "—" when absent. */
export function TimeField({ source, empty = '—' }: { source: string; label?: string; empty?: string; sortable?: boolean }) {
  const record = useRecordContext();
  const value = record?.[source] as number | null | undefined;
  if (value === null || value === undefined) {
    return (
      <Typography component="span" variant="body2" color="text.secondary">
        {empty}
      </Typography>
    );
  }
  return (
    <Typography component="span" variant="body2" title={`${formatDateTime(value)} (${formatRelative(value)})`} sx={{ whiteSpace: 'nowrap' }}>
      {formatShortDateTime(value)}
    </Typography>
  );
}

/** A monospace value (ids, codes, prefixes). */
export function CodeField({ source, empty = '—' }: { source: string; label?: string; empty?: string }) {
  const record = useRecordContext();
  const value = record?.[source] as string | number | null | undefined;
  return (
    <Typography component="span" variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} color={value === null || value === undefined ? 'text.secondary' : undefined}>
      {value === null || value === undefined || value === '' ? empty : String(value)}
    </Typography>
  );
}

/** A small caption over its value, for the detail cards of the show pages (laid out in a wrapping flex row). */
export function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ minWidth: 180 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" component="div">
        {children}
      </Typography>
    </Box>
  );
}
