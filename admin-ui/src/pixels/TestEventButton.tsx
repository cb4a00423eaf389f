import { useState } from 'react';
import { Alert, Box, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import ScienceIcon from '@mui/icons-material/Science';
import { Button, Link, useCreatePath, useDataProvider, useRecordContext } from 'react-admin';
import { errorMessage } from '../api';
import type { BusDataProvider } from '../dataProvider';
import { useCan } from '../permissions';
import type { PixelRecord, TestEventResult } from '../types';

/**
 * "Send test event": a PageView through the normal pipeline (intake → queue → Meta). With a test
 * event code active, it appears in Meta's Events Manager under Test events.
 */
export function TestEventButton({ variant = 'text' }: { variant?: 'text' | 'contained' | 'outlined' }) {
  const pixel = useRecordContext<PixelRecord>();
  const dataProvider = useDataProvider<BusDataProvider>();
  const createPath = useCreatePath();
  const can = useCan('pixels', 'test-event');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ result?: TestEventResult; error?: string }>();
  if (!pixel || !can) return null;

  const send = async (e: React.MouseEvent) => {
    e.stopPropagation();
    setBusy(true);
    try {
      setOutcome({ result: await dataProvider.sendTestEvent(pixel.id) });
    } catch (err) {
      setOutcome({ error: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  const result = outcome?.result;
  return (
    <>
      <Button label="Send test event" onClick={send} disabled={busy} variant={variant}>
        <ScienceIcon />
      </Button>
      <Dialog open={outcome !== undefined} onClose={() => setOutcome(undefined)} maxWidth="sm" fullWidth onClick={(e) => e.stopPropagation()}>
        <DialogTitle>Test event for {pixel.name}</DialogTitle>
        <DialogContent>
          {outcome?.error && <Alert severity="error">The test event could not be sent: {outcome.error}</Alert>}
          {result && (
            <Box>
              <Alert severity={result.warnings.length ? 'warning' : 'success'} sx={{ mb: 2 }}>
                A PageView test event was {result.status === 'skipped' ? 'stored but skipped' : 'queued and will reach Meta within seconds'}.
                {result.test_event_code && ` Look for it in Meta Events Manager → Test events (code ${result.test_event_code}).`}
              </Alert>
              {result.warnings.map((w) => (
                <Alert key={w} severity="warning" sx={{ mb: 1 }}>
                  {w}
                </Alert>
              ))}
              <Typography variant="body2" sx={{ mt: 1 }}>
                Event ID: <code>{result.event_id}</code>
              </Typography>
              {result.id !== null && (
                <Typography variant="body2" sx={{ mt: 1 }}>
                  <Link to={createPath({ resource: 'events', type: 'show', id: result.id })}>Follow its delivery</Link>
                </Typography>
              )}
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOutcome(undefined)}>Close</MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
