import { Alert, Box, Card, CardContent, Typography } from '@mui/material';
import { EditButton, ListButton, Show, TopToolbar, useRecordContext } from 'react-admin';
import { formatDateTime } from '../shared/format';
import { Item } from '../shared/fields';
import type { PixelRecord } from '../types';
import { PixelStateField, TokenField } from './PixelList';
import { TestEventButton } from './TestEventButton';

function Details() {
  const p = useRecordContext<PixelRecord>();
  if (!p) return null;
  return (
    <Card variant="outlined">
      <CardContent>
        {p.paused && (
          <Alert severity="error" sx={{ mb: 2 }}>
            Delivery to this pixel is paused{p.paused_at ? ` since ${formatDateTime(p.paused_at)}` : ''}: {p.paused_reason ?? 'no reason recorded'}. Events keep arriving and wait. Set a valid access
            token and switch “Delivery paused” off (Edit) to resume.
          </Alert>
        )}
        {p.test_event_code_active && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            Test mode: every event of this pixel is sent with the test event code <b>{p.test_event_code}</b>
            {p.test_event_code_expires_at ? ` until ${formatDateTime(p.test_event_code_expires_at)}` : ' with no end date'}. Meta shows them under Test events; remove the code when testing is over.
          </Alert>
        )}
        {!p.has_access_token && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            This pixel has no access token: events cannot be delivered. Edit the pixel and paste a Conversions API token from Meta Events Manager.
          </Alert>
        )}
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 3 }}>
          <Item label="Pixel (dataset) ID">{p.dataset_id}</Item>
          <Item label="State">
            <PixelStateField />
          </Item>
          <Item label="Access token">
            <TokenField />
          </Item>
          <Item label="Test event code">{p.test_event_code ? `${p.test_event_code}${p.test_event_code_active ? '' : ' (expired)'}` : '—'}</Item>
          <Item label="Allowed websites (browser events)">{p.allowed_origins.length ? p.allowed_origins.join(', ') : 'none: browsers cannot send events to this pixel'}</Item>
          <Item label="Added">{formatDateTime(p.created_at)}</Item>
          <Item label="Last changed">{formatDateTime(p.updated_at)}</Item>
        </Box>
      </CardContent>
    </Card>
  );
}

function Title() {
  const p = useRecordContext<PixelRecord>();
  return <span>{p ? `Pixel: ${p.name}` : 'Pixel'}</span>;
}

export function PixelShow() {
  return (
    <Show
      title={<Title />}
      actions={
        <TopToolbar>
          <ListButton label="All pixels" />
          <TestEventButton />
          <EditButton />
        </TopToolbar>
      }
      sx={{ '& .RaShow-card': { bgcolor: 'transparent', boxShadow: 'none' } }}
    >
      <Details />
    </Show>
  );
}
