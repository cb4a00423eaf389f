import { Alert, AlertTitle, Button, Stack } from '@mui/material';
import { Link } from 'react-admin';
import { formatDateTime, formatNumber } from '../shared/format';
import type { DashboardStats } from '../types';

/** Waiting events above this count are called a pile-up. */
export const BACKLOG_WARNING = 1000;

/** Ends a message with a full stop unless it has one. */
const sentence = (s: string) => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

const nowrap = { whiteSpace: 'nowrap' } as const;

export const eventsLink = (filter: Record<string, unknown>) => `/events?filter=${encodeURIComponent(JSON.stringify(filter))}`;

/** What needs someone's attention now: paused pixels, test mode, undelivered or piling-up events. */
export function Banners({ stats }: { stats: DashboardStats }) {
  const { current } = stats;
  const notSent = (current.not_delivered ?? 0) + (current.failed ?? 0);
  const waiting = (current.queued ?? 0) + (current.sending ?? 0) + (current.retrying ?? 0);
  return (
    <Stack spacing={1.5} sx={{ mb: 2 }} data-testid="banners">
      {stats.paused_pixels.map((p) => (
        <Alert
          key={`paused-${p.id}`}
          severity="error"
          data-testid="banner-paused"
          action={
            <Button color="inherit" size="small" sx={nowrap} component={Link} to={`/pixels/${p.id}`}>
              Fix the pixel
            </Button>
          }
        >
          <AlertTitle>Delivery to {p.name} is paused</AlertTitle>
          {sentence(p.paused_reason ?? 'Meta refused its access token')} {formatNumber(p.waiting_events)} {p.waiting_events === 1 ? 'event is' : 'events are'} waiting and will be sent once a valid access token is set and
          the pause is lifted.
        </Alert>
      ))}
      {stats.active_test_event_codes.map((p) => (
        <Alert
          key={`test-${p.id}`}
          severity="warning"
          data-testid="banner-test-code"
          action={
            <Button color="inherit" size="small" sx={nowrap} component={Link} to={`/pixels/${p.id}`}>
              Open the pixel
            </Button>
          }
        >
          <AlertTitle>Test mode is on for {p.name}</AlertTitle>
          Every event of this pixel is sent with the test event code <b>{p.test_event_code}</b>
          {p.expires_at ? ` until ${formatDateTime(p.expires_at)}` : ' and no end date'}: Meta shows them under Test events. Remove the code when testing is done.
        </Alert>
      ))}
      {notSent > 0 && (
        <Alert
          severity="warning"
          data-testid="banner-undelivered"
          action={
            <Button color="inherit" size="small" sx={nowrap} component={Link} to={eventsLink({ status: current.not_delivered ? 'not_delivered' : 'failed' })}>
              Review and retry
            </Button>
          }
        >
          <AlertTitle>
            {formatNumber(notSent)} {notSent === 1 ? 'event was' : 'events were'} not delivered to Meta
          </AlertTitle>
          {current.not_delivered ? `${formatNumber(current.not_delivered)} not delivered after every automatic attempt` : ''}
          {current.not_delivered && current.failed ? '; ' : ''}
          {current.failed ? `${formatNumber(current.failed)} rejected by Meta` : ''}. Check the errors below, fix the cause, then retry them from the Events page.
        </Alert>
      )}
      {waiting >= BACKLOG_WARNING && (
        <Alert severity="warning" data-testid="banner-backlog">
          <AlertTitle>Events are piling up</AlertTitle>
          {formatNumber(waiting)} events are waiting to be sent ({formatNumber(current.retrying ?? 0)} retrying after an error). If this number keeps growing, the worker may be stopped or Meta
          unreachable: tell an engineer.
        </Alert>
      )}
    </Stack>
  );
}
