import { Alert, Box, Card, CardContent, Chip, Divider, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { ListButton, ReferenceField, Show, TextField, TopToolbar, useRecordContext } from 'react-admin';
import { StatusChip } from '../shared/StatusChip';
import { STATUS } from '../shared/statuses';
import { formatDateTime, formatDuration, formatRelative } from '../shared/format';
import { Item } from '../shared/fields';
import type { DeliveryAttempt, EventDetailRecord } from '../types';
import { RetryOneButton } from './RetryButtons';

function Actions() {
  return (
    <TopToolbar>
      <ListButton label="All events" />
      <RetryOneButton />
    </TopToolbar>
  );
}

const mono = { fontFamily: 'monospace', fontSize: 13, wordBreak: 'break-all' } as const;

function Summary() {
  const e = useRecordContext<EventDetailRecord>();
  if (!e) return null;
  const info = STATUS[e.status];
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h5">{e.event_name}</Typography>
          <StatusChip status={e.status} size="medium" />
        </Stack>
        <Alert severity={info.chip === 'error' ? 'error' : info.chip === 'warning' ? 'warning' : info.chip === 'success' ? 'success' : 'info'} sx={{ mb: 2 }}>
          {info.help}
          {e.status === 'retrying' && e.next_attempt_at !== null && ` Next attempt ${formatRelative(e.next_attempt_at)}.`}
          {(e.status === 'failed' || e.status === 'not_delivered') && e.last_error_message && (
            <>
              {' '}
              Last error: <b>{e.last_error_message}</b>
              {e.last_error_code !== null && ` (Meta code ${e.last_error_code}${e.last_error_subcode !== null ? `, subcode ${e.last_error_subcode}` : ''})`}
            </>
          )}
        </Alert>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 3 }}>
          <Item label="Event ID">
            <Box component="span" sx={mono}>
              {e.event_id}
            </Box>
          </Item>
          <Item label="Pixel">
            <ReferenceField source="pixel_id" reference="pixels" link="show">
              <TextField source="name" />
            </ReferenceField>
          </Item>
          <Item label="Sent from">{e.source === 'browser' ? 'Browser (tracking client)' : 'Server (API key)'}</Item>
          <Item label="Action source">{e.action_source}</Item>
          <Item label="Event time">{formatDateTime(e.event_time * (e.event_time < 1e11 ? 1000 : 1))}</Item>
          <Item label="Received">{formatDateTime(e.created_at)}</Item>
          <Item label="Delivered">{formatDateTime(e.delivered_at)}</Item>
          <Item label="Delivery attempts">{Math.max(e.attempts, e.delivery_attempts?.length ?? 0)}</Item>
          {e.fbtrace_id && (
            <Item label="Last fbtrace_id">
              <Box component="span" sx={mono}>
                {e.fbtrace_id}
              </Box>
            </Item>
          )}
        </Box>
      </CardContent>
    </Card>
  );
}

/** What one attempt led to, in words. */
function outcomeLabel(a: DeliveryAttempt): string {
  const known: Record<string, string> = {
    delivered: 'Accepted by Meta',
    retrying: 'Temporary error, retried',
    not_delivered: 'Temporary error, gave up',
    failed: 'Rejected by Meta',
    paused: 'Token refused, pixel paused',
    expired: 'Too old, expired',
    split: 'Batch refused, split',
  };
  return known[a.outcome] ?? a.outcome;
}

function Attempts() {
  const e = useRecordContext<EventDetailRecord>();
  if (!e) return null;
  const attempts: DeliveryAttempt[] = e.delivery_attempts ?? [];
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Typography variant="h6" gutterBottom>
          Delivery attempts
        </Typography>
        {attempts.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No delivery attempt yet. {e.status === 'skipped' ? 'Skipped events are never sent.' : 'The bus sends queued events within seconds.'}
          </Typography>
        ) : (
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label="Delivery attempts">
              <TableHead>
                <TableRow>
                  <TableCell>When</TableCell>
                  <TableCell>Outcome</TableCell>
                  <TableCell>HTTP</TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>Meta code</TableCell>
                  <TableCell>Subcode</TableCell>
                  <TableCell>Message</TableCell>
                  <TableCell>fbtrace_id</TableCell>
                  <TableCell align="right">Took</TableCell>
                  <TableCell align="right">Batch</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {attempts.map((a) => (
                  <TableRow key={a.id} data-testid="attempt-row">
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.attempted_at)}</TableCell>
                    <TableCell>
                      <Chip size="small" label={outcomeLabel(a)} color={a.outcome === 'delivered' ? 'success' : a.is_transient ? 'warning' : 'error'} variant="outlined" />
                    </TableCell>
                    <TableCell>{a.http_status ?? '—'}</TableCell>
                    <TableCell>{a.error_code ?? '—'}</TableCell>
                    <TableCell>{a.error_subcode ?? '—'}</TableCell>
                    <TableCell sx={{ maxWidth: 360 }}>{a.message ?? '—'}</TableCell>
                    <TableCell sx={{ ...mono, wordBreak: 'normal', whiteSpace: 'nowrap' }}>{a.fbtrace_id ?? '—'}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      {formatDuration(a.duration_ms)}
                    </TableCell>
                    <TableCell align="right">{a.batch_size}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

function Payload() {
  const e = useRecordContext<EventDetailRecord>();
  if (!e) return null;
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6">Stored payload</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          What the bus stored and sends to Meta. Personal data (email, phone, names, birth dates, addresses) was normalized and SHA-256-hashed on arrival, as Meta requires; IP address, user agent and
          the fbp / fbc cookies are kept as they are.
        </Typography>
        <Divider sx={{ mb: 1 }} />
        <Box component="pre" data-testid="payload" sx={{ ...mono, fontSize: 12, m: 0, p: 1.5, bgcolor: 'action.hover', borderRadius: 1, overflowX: 'auto', whiteSpace: 'pre-wrap' }}>
          {JSON.stringify(e.payload, null, 2)}
        </Box>
      </CardContent>
    </Card>
  );
}

export function EventShow() {
  return (
    <Show actions={<Actions />} title={<EventTitle />} sx={{ '& .RaShow-card': { bgcolor: 'transparent', boxShadow: 'none' } }}>
      <Summary />
      <Attempts />
      <Payload />
    </Show>
  );
}

function EventTitle() {
  const e = useRecordContext<EventDetailRecord>();
  return <span>{e ? `Event #${e.id}: ${e.event_name}` : 'Event'}</span>;
}
