import { Box, Chip, Stack, Tooltip, Typography } from '@mui/material';
import FacebookIcon from '@mui/icons-material/Facebook';
import { CreateButton, DataTable, List, TopToolbar, useRecordContext } from 'react-admin';
import { EmptyState } from '../shared/EmptyState';
import { formatDateTime } from '../shared/format';
import type { PixelRecord } from '../types';
import { TestEventButton } from './TestEventButton';

export function PixelStateField(_props: { label?: string }) {
  const p = useRecordContext<PixelRecord>();
  if (!p) return null;
  return (
    <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', gap: 0.5 }}>
      {p.paused ? (
        <Tooltip title={p.paused_reason ?? 'Delivery is paused'}>
          <Chip size="small" color="error" label="Paused" />
        </Tooltip>
      ) : p.enabled ? (
        <Chip size="small" color="success" label="Active" variant="outlined" />
      ) : (
        <Chip size="small" label="Disabled" />
      )}
      {!p.has_access_token && <Chip size="small" color="warning" label="No access token" />}
      {p.test_event_code_active && (
        <Tooltip title={`Events are sent with test event code ${p.test_event_code ?? ''}${p.test_event_code_expires_at ? ` until ${formatDateTime(p.test_event_code_expires_at)}` : ''}`}>
          <Chip size="small" color="warning" variant="outlined" label="Test mode" />
        </Tooltip>
      )}
    </Stack>
  );
}

export function TokenField(_props: { label?: string }) {
  const p = useRecordContext<PixelRecord>();
  if (!p) return null;
  return p.access_token_hint ? (
    <Typography component="span" variant="body2" sx={{ fontFamily: 'monospace' }}>
      {p.access_token_hint}
    </Typography>
  ) : (
    <Typography component="span" variant="body2" color="warning.main">
      not set
    </Typography>
  );
}

function NoPixels() {
  return (
    <EmptyState icon={<FacebookIcon />} title="No pixel yet" action={<CreateButton label="Add a pixel" variant="contained" />}>
      A pixel (Meta calls it a dataset) is where events are sent. Add one with its id from Meta Events Manager and a Conversions API access token.
    </EmptyState>
  );
}

export function PixelList() {
  return (
    <List
      title="Pixels"
      sort={{ field: 'name', order: 'ASC' }}
      actions={
        <TopToolbar>
          <CreateButton label="Add a pixel" />
        </TopToolbar>
      }
      empty={<NoPixels />}
    >
      <Box sx={{ px: 2, pt: 1 }}>
        <Typography variant="body2" color="text.secondary">
          Where events are sent. The access token is never shown again after it is saved; only its last 4 characters.
        </Typography>
      </Box>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="name" label="Name" />
        <DataTable.Col source="dataset_id" label="Pixel (dataset) ID" />
        <DataTable.Col source="enabled" label="State">
          <PixelStateField />
        </DataTable.Col>
        <DataTable.Col source="access_token_hint" label="Access token" disableSort>
          <TokenField />
        </DataTable.Col>
        <DataTable.Col source="allowed_origins" label="Allowed websites" disableSort render={(p: PixelRecord) => (p.allowed_origins.length ? p.allowed_origins.join(', ') : '—')} />
        <DataTable.Col label="" disableSort>
          <TestEventButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
