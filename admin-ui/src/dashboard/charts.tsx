import { Box, Tooltip, Typography } from '@mui/material';
import { STATUS, STATUS_ORDER } from '../shared/statuses';
import { formatNumber, formatPercent } from '../shared/format';
import type { DashboardStats, EventStatus } from '../types';

/** Plain SVG/MUI charts: no chart library is installed, and these three need none. */

export function Legend({ statuses }: { statuses: EventStatus[] }) {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 1 }}>
      {statuses.map((s) => (
        <Box key={s} sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
          <Box sx={{ width: 12, height: 12, borderRadius: '2px', bgcolor: STATUS[s].color }} />
          <Typography variant="caption">{STATUS[s].label}</Typography>
        </Box>
      ))}
    </Box>
  );
}

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const mag = 10 ** Math.floor(Math.log10(n));
  const f = n / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

function bucketLabel(t: number, bucket: 'hour' | 'day'): string {
  const d = new Date(t);
  return bucket === 'hour' ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** Events received per hour or day, stacked by their current status. */
export function DeliveryOverTime({ stats }: { stats: DashboardStats }) {
  const W = 900;
  const H = 260;
  const pad = { l: 48, r: 8, t: 10, b: 28 };
  const series = stats.series;
  const totals = series.map((b) => STATUS_ORDER.reduce((sum, s) => sum + (b[s] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const innerW = W - pad.l - pad.r;
  const innerH = H - pad.t - pad.b;
  const slot = innerW / Math.max(1, series.length);
  const barW = Math.max(2, slot * 0.75);
  const y = (v: number) => pad.t + innerH - (v / max) * innerH;
  const labelEvery = Math.max(1, Math.ceil(series.length / 8));
  const present = STATUS_ORDER.filter((s) => series.some((b) => (b[s] ?? 0) > 0));

  return (
    <Box>
      <Box component="svg" viewBox={`0 0 ${W} ${H}`} sx={{ width: '100%', height: 'auto', display: 'block' }} role="img" aria-label="Events received over time, by status">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W - pad.r} y1={y(max * f)} y2={y(max * f)} stroke="#e0e0e0" />
            <text x={pad.l - 6} y={y(max * f) + 4} textAnchor="end" fontSize="11" fill="#757575">
              {formatNumber(max * f)}
            </text>
          </g>
        ))}
        {series.map((b, i) => {
          const x = pad.l + i * slot + (slot - barW) / 2;
          let acc = 0;
          return (
            <g key={b.t}>
              <title>{`${bucketLabel(b.t, stats.bucket)}: ${formatNumber(totals[i] ?? 0)} events\n${STATUS_ORDER.filter((s) => b[s]).map((s) => `${STATUS[s].label}: ${formatNumber(b[s])}`).join('\n')}`}</title>
              {STATUS_ORDER.map((s) => {
                const v = b[s] ?? 0;
                if (!v) return null;
                const y0 = y(acc);
                acc += v;
                const y1 = y(acc);
                return <rect key={s} x={x} y={y1} width={barW} height={Math.max(0.5, y0 - y1)} fill={STATUS[s].color} />;
              })}
              {i % labelEvery === 0 && (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" fontSize="11" fill="#757575">
                  {bucketLabel(b.t, stats.bucket)}
                </text>
              )}
            </g>
          );
        })}
        <line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} stroke="#9e9e9e" />
      </Box>
      {present.length > 0 && <Legend statuses={present} />}
    </Box>
  );
}

/** Share of each status among the events received in the period, as one bar and a list. */
export function StatusSplit({ totals }: { totals: Record<EventStatus, number> }) {
  const total = STATUS_ORDER.reduce((sum, s) => sum + (totals[s] ?? 0), 0);
  const present = STATUS_ORDER.filter((s) => (totals[s] ?? 0) > 0);
  if (!total) {
    return (
      <Typography variant="body2" color="text.secondary">
        No events in this period.
      </Typography>
    );
  }
  return (
    <Box>
      <Box sx={{ display: 'flex', height: 20, borderRadius: 1, overflow: 'hidden', mb: 2 }} role="img" aria-label="Status split">
        {present.map((s) => (
          <Tooltip key={s} title={`${STATUS[s].label}: ${formatNumber(totals[s])} (${formatPercent(totals[s] / total)})`}>
            <Box sx={{ width: `${(totals[s] / total) * 100}%`, bgcolor: STATUS[s].color }} />
          </Tooltip>
        ))}
      </Box>
      {present.map((s) => (
        <Box key={s} sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 0.25 }} data-testid={`split-${s}`}>
          <Box sx={{ width: 10, height: 10, borderRadius: '2px', bgcolor: STATUS[s].color, flexShrink: 0 }} />
          <Typography variant="body2" sx={{ flex: 1 }}>
            {STATUS[s].label}
          </Typography>
          <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums' }}>
            {formatNumber(totals[s])}
          </Typography>
          <Typography variant="caption" color="text.secondary" sx={{ width: 48, textAlign: 'right' }}>
            {formatPercent(totals[s] / total)}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
