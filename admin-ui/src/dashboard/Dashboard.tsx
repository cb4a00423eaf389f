import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Card, CardContent, CardHeader, LinearProgress, Table, TableBody, TableCell, TableHead, TableRow, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import InsightsIcon from '@mui/icons-material/Insights';
import { Link, Title, useDataProvider } from 'react-admin';
import { errorMessage } from '../api';
import type { BusDataProvider } from '../dataProvider';
import { EmptyState } from '../shared/EmptyState';
import { formatDateTime, formatDuration, formatNumber, formatPercent, formatRelative } from '../shared/format';
import { STATUS_ORDER } from '../shared/statuses';
import type { DashboardStats, MatchKey } from '../types';
import { Banners, eventsLink } from './Banners';
import { DeliveryOverTime, StatusSplit } from './charts';

const RANGES = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'day' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
} as const;
type RangeKey = keyof typeof RANGES;
const REFRESH_MS = 30_000;

function useStats(range: RangeKey) {
  const dataProvider = useDataProvider<BusDataProvider>();
  const [state, setState] = useState<{ stats?: DashboardStats; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const ctrl = new AbortController();
    const to = Date.now();
    const { ms, bucket } = RANGES[range];
    setState((s) => ({ ...s, loading: true }));
    dataProvider
      .getStats({ from: to - ms + 1, to, bucket }, ctrl.signal)
      .then((stats) => setState({ stats, loading: false }))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setState((s) => ({ ...s, error: errorMessage(err), loading: false }));
      });
    const timer = setTimeout(reload, REFRESH_MS);
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [dataProvider, range, tick, reload]);
  return { ...state, reload };
}

function Kpi({ label, value, hint, color, to }: { label: string; value: string; hint?: string; color?: string; to?: string }) {
  const body = (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="caption" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h4" sx={{ color, fontVariantNumeric: 'tabular-nums' }}>
          {value}
        </Typography>
        {hint && (
          <Typography variant="caption" color="text.secondary">
            {hint}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
  return to ? (
    <Link to={to} underline="none" sx={{ display: 'block', height: '100%' }}>
      {body}
    </Link>
  ) : (
    body
  );
}

function Panel({ title, subheader, children, testId }: { title: string; subheader?: string; children: ReactNode; testId?: string }) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }} data-testid={testId}>
      <CardHeader title={title} subheader={subheader} slotProps={{ title: { variant: 'h6' }, subheader: { variant: 'body2' } }} sx={{ pb: 0 }} />
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function TopErrors({ stats }: { stats: DashboardStats }) {
  if (!stats.top_errors.length) {
    return (
      <Typography variant="body2" color="text.secondary">
        No delivery error in this period.
      </Typography>
    );
  }
  const max = Math.max(...stats.top_errors.map((e) => e.events));
  return (
    <Table size="small" aria-label="Top errors">
      <TableHead>
        <TableRow>
          <TableCell>Meta error</TableCell>
          <TableCell>Message</TableCell>
          <TableCell align="right">Events</TableCell>
          <TableCell>Last seen</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {stats.top_errors.map((e) => (
          <TableRow key={`${e.error_code}-${e.error_subcode}`} data-testid="top-error">
            <TableCell sx={{ whiteSpace: 'nowrap' }}>
              {e.error_code === null ? (
                'network / server'
              ) : (
                <Link to={eventsLink({ last_error_code: e.error_code })}>
                  code {e.error_code}
                  {e.error_subcode !== null ? ` / ${e.error_subcode}` : ''}
                </Link>
              )}
            </TableCell>
            <TableCell sx={{ maxWidth: 360 }}>{e.message ?? '—'}</TableCell>
            <TableCell align="right" sx={{ minWidth: 120 }}>
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, justifyContent: 'flex-end' }}>
                <Box sx={{ height: 8, width: `${(e.events / max) * 60}px`, bgcolor: 'error.light', borderRadius: 1 }} />
                {formatNumber(e.events)}
              </Box>
            </TableCell>
            <TableCell sx={{ whiteSpace: 'nowrap' }} title={formatDateTime(e.last_seen_at)}>
              {formatRelative(e.last_seen_at)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const KEY_LABELS: Record<MatchKey, string> = {
  em: 'Email',
  ph: 'Phone',
  fn: 'First name',
  ln: 'Last name',
  external_id: 'External ID',
  fbp: 'fbp cookie',
  fbc: 'fbc (ad click)',
  client_ip_address: 'IP address',
  client_user_agent: 'User agent',
};

function coverageColor(x: number): string {
  return x >= 0.8 ? '#2e7d32' : x >= 0.4 ? '#ed6c02' : '#d32f2f';
}

/** Share of events carrying each match key: a local stand-in for Meta's Event Match Quality. */
function MatchKeys({ stats }: { stats: DashboardStats }) {
  const { by_event, keys } = stats.match_keys;
  if (!by_event.length) {
    return (
      <Typography variant="body2" color="text.secondary">
        No events in this period.
      </Typography>
    );
  }
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label="Match key coverage" sx={{ '& th, & td': { px: 1 } }}>
        <TableHead>
          <TableRow>
            <TableCell>Event</TableCell>
            <TableCell align="right">Events</TableCell>
            {keys.map((k) => (
              <TableCell key={k} align="right" sx={{ whiteSpace: 'nowrap' }}>
                {KEY_LABELS[k] ?? k}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {by_event.map((e) => (
            <TableRow key={e.event_name}>
              <TableCell>{e.event_name}</TableCell>
              <TableCell align="right">{formatNumber(e.events)}</TableCell>
              {keys.map((k) => (
                <TableCell key={k} align="right" sx={{ color: coverageColor(e.coverage[k] ?? 0), fontVariantNumeric: 'tabular-nums' }}>
                  {formatPercent(e.coverage[k] ?? 0)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function GettingStarted() {
  return (
    <EmptyState icon={<InsightsIcon />} title="No events yet">
      <Box component="ol" sx={{ textAlign: 'left', display: 'inline-block', m: 0 }}>
        <li>
          Check your pixel on the <Link to="/pixels">Pixels</Link> page: it needs its Meta access token.
        </li>
        <li>
          Connect a source: the tracking client on your website, or a backend service with a key from <Link to="/api-keys">API keys</Link>.
        </li>
        <li>Or press “Send test event” on a pixel to see one go through.</li>
      </Box>
      <Box sx={{ mt: 1 }}>Charts appear here as soon as events arrive.</Box>
    </EmptyState>
  );
}

export function Dashboard() {
  const [range, setRange] = useState<RangeKey>('24h');
  const { stats, error, loading, reload } = useStats(range);
  const sum = (rec: Record<string, number> | undefined, keys: readonly string[]) => keys.reduce((n, k) => n + (rec?.[k] ?? 0), 0);

  const received = sum(stats?.totals, STATUS_ORDER);
  const everything = sum(stats?.current, STATUS_ORDER);
  const delivered = stats?.totals.delivered ?? 0;
  const notSent = sum(stats?.totals, ['failed', 'not_delivered']);
  const waiting = sum(stats?.current, ['queued', 'sending', 'retrying']);

  return (
    <Box sx={{ mt: 2, mb: 4 }} data-testid="dashboard">
      <Title title="Dashboard" />
      <Box sx={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 2, mb: 2 }}>
        <Typography variant="h5" sx={{ flex: 1 }}>
          Conversions sent to Meta
        </Typography>
        <ToggleButtonGroup size="small" exclusive value={range} sx={{ '& .MuiToggleButton-root': { textTransform: 'none' } }} onChange={(_e, v: RangeKey | null) => v && setRange(v)} aria-label="Period">
          {(Object.keys(RANGES) as RangeKey[]).map((k) => (
            <ToggleButton key={k} value={k}>
              {RANGES[k].label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Tooltip title={stats ? `Updated ${formatRelative(stats.generated_at)}; refreshes every 30 seconds` : 'Refresh'}>
          <Button size="small" startIcon={<RefreshIcon />} onClick={reload}>
            Refresh
          </Button>
        </Tooltip>
      </Box>
      <LinearProgress sx={{ visibility: loading ? 'visible' : 'hidden', mb: 1 }} />
      {error && (
        <Alert severity="error" sx={{ mb: 2 }} action={<Button onClick={reload}>Try again</Button>}>
          The dashboard numbers could not be loaded: {error}
        </Alert>
      )}
      {stats && (
        <>
          <Banners stats={stats} />
          {everything === 0 ? (
            <Card>
              <GettingStarted />
            </Card>
          ) : (
            <>
              <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(170px, 1fr))', gap: 2, mb: 2 }}>
                <Kpi label="Received" value={formatNumber(received)} hint={RANGES[range].label.toLowerCase()} to="/events" />
                <Kpi label="Delivered to Meta" value={formatNumber(delivered)} hint={received ? `${formatPercent(delivered / received)} of received` : undefined} color="#2e7d32" />
                <Kpi label="Not sent" value={formatNumber(notSent)} hint="failed or not delivered" color={notSent ? '#d32f2f' : undefined} to={notSent ? eventsLink({ status: 'not_delivered' }) : undefined} />
                <Kpi label="Waiting now" value={formatNumber(waiting)} hint="queued or retrying" />
                <Kpi
                  label="Time to Meta"
                  value={formatDuration(stats.latency.p50_ms)}
                  hint={stats.latency.p95_ms !== null ? `median; 95% within ${formatDuration(stats.latency.p95_ms)}` : 'median, once events are delivered'}
                />
              </Box>
              <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '2fr 1fr' }, gap: 2, mb: 2 }}>
                <Panel title="Delivery over time" subheader={`Events received per ${stats.bucket}, by their status now`} testId="chart-over-time">
                  <DeliveryOverTime stats={stats} />
                </Panel>
                <Panel title="Status split" subheader={RANGES[range].label} testId="chart-status-split">
                  <StatusSplit totals={stats.totals} />
                </Panel>
              </Box>
              <Box sx={{ display: 'grid', gridTemplateColumns: '1fr', gap: 2 }}>
                <Panel title="Top errors" subheader="The most frequent last errors of events received in this period" testId="top-errors">
                  <TopErrors stats={stats} />
                </Panel>
                <Panel
                  title="Match keys"
                  subheader="Share of events carrying each customer information key. More keys mean Meta can match more events to people (what Meta calls Event Match Quality)."
                  testId="match-keys"
                >
                  <MatchKeys stats={stats} />
                </Panel>
              </Box>
            </>
          )}
        </>
      )}
    </Box>
  );
}
