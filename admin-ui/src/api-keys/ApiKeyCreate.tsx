import { useState } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, Tooltip, Typography } from '@mui/material';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Create, SimpleForm, TextInput, maxLength, required, useCreatePath, useRedirect } from 'react-admin';
import type { ApiKeyRecord } from '../types';

/** Shows the new key once, with a copy button; closing goes back to the list. */
function KeyDialog({ created, onClose }: { created: ApiKeyRecord; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key ?? '');
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="new-key-title">
      <DialogTitle id="new-key-title">API key “{created.name}” created</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy this key now and give it to the service that sends events. It is shown only this once; if it is lost, revoke it and create another.
        </Alert>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1.5, bgcolor: 'action.hover', borderRadius: 1 }}>
          <Typography data-testid="new-api-key" sx={{ fontFamily: 'monospace', wordBreak: 'break-all', flex: 1 }}>
            {created.key}
          </Typography>
          <Tooltip title={copied ? 'Copied' : 'Copy'}>
            <IconButton onClick={copy} aria-label="Copy the key">
              <ContentCopyIcon />
            </IconButton>
          </Tooltip>
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          The service sends it as <code>Authorization: Bearer &lt;key&gt;</code> with each <code>POST /v1/events</code>.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          I have stored the key
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function ApiKeyCreate() {
  const [created, setCreated] = useState<ApiKeyRecord>();
  const redirect = useRedirect();
  const createPath = useCreatePath();
  return (
    <>
      <Create<ApiKeyRecord> title="Create an API key" redirect={false} mutationOptions={{ onSuccess: (data) => setCreated(data) }}>
        <SimpleForm>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2, maxWidth: 640 }}>
            Name the key after the service that will use it, so you know which one to revoke later.
          </Typography>
          <TextInput source="name" label="Name" validate={[required('Name the key, e.g. “Shop backend”'), maxLength(191)]} helperText="e.g. Shop backend, CRM sync" sx={{ maxWidth: 480 }} fullWidth />
        </SimpleForm>
      </Create>
      {created && <KeyDialog created={created} onClose={() => redirect(createPath({ resource: 'api-keys', type: 'list' }))} />}
    </>
  );
}
