import type { ReactNode } from 'react';
import { Alert, Box, Card, CardContent, Typography } from '@mui/material';
import { Edit, FormDataConsumer, Loading, NumberInput, SaveButton, SimpleForm, Toolbar, maxValue, minValue, number, required, useGetOne, useNotify } from 'react-admin';
import { Title, useCanAccess } from 'react-admin';
import { SETTINGS_ID } from '../dataProvider';
import { formatDuration } from '../shared/format';
import type { SettingsRecord } from '../types';

/** Same bounds as the API (server/src/admin/settings.ts); the API has the last word and its errors land on the fields. */
const between = (min: number, max: number, unit = '') => [required('Required'), number('Enter a number'), minValue(min, `At least ${min}${unit}`), maxValue(max, `At most ${max}${unit}`)];

interface FieldSpec {
  source: keyof Omit<SettingsRecord, 'id'>;
  label: string;
  help: string;
  min: number;
  max: number;
  unit?: string;
  duration?: boolean;
}

const GROUPS: Array<{ title: string; intro: string; fields: FieldSpec[] }> = [
  {
    title: 'Retries',
    intro: 'When Meta or the network has a temporary problem, an event is tried again, waiting longer each time (the wait doubles from the base wait up to the longest wait).',
    fields: [
      { source: 'retry_max_attempts', label: 'Attempts per event', help: 'After this many failed attempts an event becomes “Not delivered” (you can still retry it by hand).', min: 1, max: 50 },
      { source: 'retry_base_backoff_ms', label: 'First wait before a retry (milliseconds)', help: 'Wait after the first failure.', min: 100, max: 3_600_000, unit: ' ms', duration: true },
      { source: 'retry_max_backoff_ms', label: 'Longest wait between retries (milliseconds)', help: 'The wait never grows beyond this.', min: 1_000, max: 86_400_000, unit: ' ms', duration: true },
    ],
  },
  {
    title: 'Sending',
    intro: 'How events are sent to Meta.',
    fields: [
      { source: 'batch_size', label: 'Events per request to Meta', help: 'Meta accepts up to 1000 per request; smaller batches fail in smaller groups.', min: 1, max: 1000 },
      { source: 'request_timeout_ms', label: 'Request timeout (milliseconds)', help: 'How long to wait for Meta before treating the request as failed and retrying.', min: 200, max: 60_000, unit: ' ms', duration: true },
    ],
  },
  {
    title: 'Retention',
    intro: 'How long events and their delivery attempts are kept in this dashboard.',
    fields: [{ source: 'retention_days', label: 'Keep events for (days)', help: 'Older events are deleted every night.', min: 1, max: 3650, unit: ' days' }],
  },
];

function Group({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <Box sx={{ mb: 3, width: '100%', maxWidth: 720 }}>
      <Typography variant="h6">{title}</Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {intro}
      </Typography>
      {children}
    </Box>
  );
}

function Input({ f }: { f: FieldSpec }) {
  return (
    <FormDataConsumer>
      {({ formData }) => {
        const value = (formData as Partial<SettingsRecord>)[f.source];
        const hint = f.duration && typeof value === 'number' && Number.isFinite(value) ? ` (= ${formatDuration(value)})` : '';
        return <NumberInput source={f.source} label={f.label} validate={between(f.min, f.max, f.unit)} helperText={`${f.help}${hint}`} min={f.min} max={f.max} step={1} fullWidth />;
      }}
    </FormDataConsumer>
  );
}

const pick = (d: Partial<SettingsRecord>) => Object.fromEntries(GROUPS.flatMap((g) => g.fields).map((f) => [f.source, d[f.source]]));

function SettingsEdit() {
  const notify = useNotify();
  return (
    <Edit
      resource="settings"
      id={SETTINGS_ID}
      title="Settings"
      redirect={false}
      mutationMode="pessimistic"
      transform={pick}
      mutationOptions={{ onSuccess: () => notify('Settings saved. They apply to the next delivery.', { type: 'success' }) }}
      actions={false}
    >
      <SimpleForm toolbar={<Toolbar><SaveButton label="Save settings" /></Toolbar>} warnWhenUnsavedChanges>
        {GROUPS.map((g) => (
          <Group key={g.title} title={g.title} intro={g.intro}>
            {g.fields.map((f) => (
              <Input key={f.source} f={f} />
            ))}
          </Group>
        ))}
      </SimpleForm>
    </Edit>
  );
}

function SettingsReadOnly() {
  const { data, isPending, error } = useGetOne<SettingsRecord>('settings', { id: SETTINGS_ID });
  if (isPending) return <Loading />;
  if (error || !data) return <Alert severity="error">The settings could not be loaded: {error?.message ?? 'unknown error'}</Alert>;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Settings" />
      <CardContent>
        <Alert severity="info" sx={{ mb: 2 }}>
          You can see the settings; ask an admin to change them.
        </Alert>
        {GROUPS.map((g) => (
          <Group key={g.title} title={g.title} intro={g.intro}>
            {g.fields.map((f) => (
              <Box key={f.source} sx={{ mb: 1.5 }}>
                <Typography variant="caption" color="text.secondary">
                  {f.label}
                </Typography>
                <Typography variant="body1" data-testid={`setting-${f.source}`}>
                  {data[f.source]}
                  {f.duration ? ` (${formatDuration(data[f.source])})` : ''}
                </Typography>
              </Box>
            ))}
          </Group>
        ))}
      </CardContent>
    </Card>
  );
}

/** Settings are one record: admins edit it, viewers read it. */
export function SettingsPage() {
  const { canAccess, isPending } = useCanAccess({ resource: 'settings', action: 'edit' });
  if (isPending) return <Loading />;
  return canAccess ? <SettingsEdit /> : <SettingsReadOnly />;
}
