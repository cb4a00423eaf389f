import { useState, type MouseEvent } from 'react';
import { Box, Chip, Typography } from '@mui/material';
import KeyIcon from '@mui/icons-material/Key';
import BlockIcon from '@mui/icons-material/Block';
import { Button, Confirm, CreateButton, DataTable, List, TopToolbar, useDelete, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { errorMessage } from '../api';
import { useCan } from '../permissions';
import { EmptyState } from '../shared/EmptyState';
import { TimeField } from '../shared/fields';
import type { ApiKeyRecord } from '../types';

/** Revokes a key after confirmation: services using it are refused from then on. */
function RevokeButton(_props: { label?: string }) {
  const key = useRecordContext<ApiKeyRecord>();
  const notify = useNotify();
  const refresh = useRefresh();
  const can = useCan('api-keys', 'delete');
  const [open, setOpen] = useState(false);
  const [revoke, { isPending }] = useDelete<ApiKeyRecord>();
  if (!key || !can || key.revoked) return null;
  const confirm = () =>
    revoke(
      'api-keys',
      { id: key.id, previousData: key },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          notify(`The key “${key.name}” is revoked: requests using it are refused from now on.`, { type: 'info' });
          setOpen(false);
          refresh();
        },
        onError: (err) => {
          notify(`The key could not be revoked: ${errorMessage(err)}`, { type: 'error' });
          setOpen(false);
        },
      },
    );
  return (
    <>
      <Button
        label="Revoke"
        color="error"
        onClick={(e: MouseEvent) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <BlockIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={isPending}
        title={`Revoke the key “${key.name}”?`}
        content="Every service using this key will be refused at once. This cannot be undone: create a new key and give it to the service instead."
        confirm="Revoke"
        confirmColor="warning"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

function StateField(_props: { label?: string }) {
  const key = useRecordContext<ApiKeyRecord>();
  if (!key) return null;
  return key.revoked ? <Chip size="small" label="Revoked" /> : <Chip size="small" color="success" variant="outlined" label="Active" />;
}

function NoKeys() {
  return (
    <EmptyState icon={<KeyIcon />} title="No API key yet" action={<CreateButton label="Create an API key" variant="contained" />}>
      Backend services (your shop, CRM, payment system) send events to <code>POST /v1/events</code> with an API key. Create one per service, so you can revoke one without touching the others.
    </EmptyState>
  );
}

export function ApiKeyList() {
  return (
    <List
      title="API keys"
      sort={{ field: 'id', order: 'DESC' }}
      actions={
        <TopToolbar>
          <CreateButton label="Create an API key" />
        </TopToolbar>
      }
      empty={<NoKeys />}
    >
      <Box sx={{ px: 2, pt: 1 }}>
        <Typography variant="body2" color="text.secondary">
          Keys let backend services send events (<code>Authorization: Bearer &lt;key&gt;</code>). A key is shown once, when it is created; here you see its first characters.
        </Typography>
      </Box>
      <DataTable rowClick={false} bulkActionButtons={false}>
        <DataTable.Col source="name" label="Name" />
        <DataTable.Col source="prefix" label="Starts with" render={(k: ApiKeyRecord) => <Box component="span" sx={{ fontFamily: 'monospace' }}>{k.prefix}…</Box>} />
        <DataTable.Col source="revoked" label="State" disableSort>
          <StateField />
        </DataTable.Col>
        <DataTable.Col source="last_used_at" label="Last used">
          <TimeField source="last_used_at" empty="never" />
        </DataTable.Col>
        <DataTable.Col source="created_at" label="Created" field={TimeField} />
        <DataTable.Col label="" disableSort>
          <RevokeButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
