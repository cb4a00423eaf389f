import { Alert, Box, Typography } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import {
  ArrayInput,
  BooleanInput,
  Button,
  Create,
  DateTimeInput,
  Edit,
  ListButton,
  PasswordInput,
  SaveButton,
  ShowButton,
  SimpleForm,
  SimpleFormIterator,
  TextInput,
  Toolbar,
  TopToolbar,
  maxLength,
  regex,
  required,
  useRecordContext,
  useSimpleFormIterator,
} from 'react-admin';
import type { PixelRecord } from '../types';

const validateDatasetId = [required('The pixel id is required'), regex(/^\d{5,20}$/, 'The numeric pixel (dataset) id, 5 to 20 digits, from Meta Events Manager')];
const validateToken = [regex(/^\S{10,1000}$/, 'Paste the whole token, without spaces')];
const validateCode = [maxLength(64, 'At most 64 characters'), regex(/^[A-Za-z0-9_-]*$/, 'Letters, digits, _ and - only, as Meta shows it')];

/** datetime-local value (local time) ↔ epoch ms. */
const parseLocalTime = (v: string) => (v ? new Date(v).getTime() : null);

/** Only what the form edits; an empty token field keeps the current token. */
function pick(d: Partial<PixelRecord> & { access_token?: string | null }) {
  return {
    name: d.name,
    ...(d.access_token ? { access_token: d.access_token } : {}),
    allowed_origins: (d.allowed_origins ?? []).filter((o) => typeof o === 'string' && o.trim() !== ''),
    enabled: d.enabled,
    test_event_code: d.test_event_code || null,
    test_event_code_expires_at: d.test_event_code ? (d.test_event_code_expires_at ?? null) : null,
  };
}

/** "Add a website" in words: the default is a bare + icon. */
function AddWebsiteButton() {
  const { add } = useSimpleFormIterator();
  return (
    <Button label="Add a website" onClick={() => add()} size="small">
      <AddIcon />
    </Button>
  );
}

function CommonFields({ isEdit }: { isEdit: boolean }) {
  const record = useRecordContext<PixelRecord>();
  return (
    <>
      <TextInput source="name" label="Name" validate={[required('Give the pixel a name your team recognises'), maxLength(191)]} helperText="For your team, e.g. “Main shop”" sx={{ maxWidth: 480 }} fullWidth />
      <PasswordInput
        source="access_token"
        label={isEdit ? 'New access token' : 'Access token'}
        validate={validateToken}
        autoComplete="new-password"
        helperText={
          isEdit
            ? record?.access_token_hint
              ? `Leave empty to keep the current token (${record.access_token_hint}). It is stored encrypted and never shown again.`
              : 'This pixel has no token yet: paste one to start delivering.'
            : 'The Conversions API token from Meta Events Manager → Settings. Stored encrypted; never shown again.'
        }
        sx={{ maxWidth: 480 }}
        fullWidth
      />
      <ArrayInput source="allowed_origins" label="Allowed websites (for events sent from browsers)" helperText="The address of each website allowed to send events from visitors’ browsers, e.g. https://shop.example.com. * allows any.">
        <SimpleFormIterator inline disableReordering disableClear addButton={<AddWebsiteButton />}>
          <TextInput source="" label="Website origin" helperText={false} sx={{ width: 420, maxWidth: '100%' }} />
        </SimpleFormIterator>
      </ArrayInput>
      <BooleanInput source="enabled" label="Enabled" helperText="When disabled, events for this pixel are refused." />
      <Typography variant="subtitle1" sx={{ mt: 2 }}>
        Test mode
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1, maxWidth: 640 }}>
        With a test event code from Meta Events Manager → Test events, every event of this pixel is marked as a test and shown there. Remove it when you are done, or set an end.
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        <TextInput source="test_event_code" label="Test event code" validate={validateCode} helperText="Empty = real events" />
        <DateTimeInput source="test_event_code_expires_at" label="Test mode ends" parse={parseLocalTime} helperText="Empty = until removed" />
      </Box>
    </>
  );
}

function PausedInput() {
  const record = useRecordContext<PixelRecord>();
  return (
    <>
      {record?.paused && (
        <Alert severity="error" sx={{ mb: 1, maxWidth: 640 }}>
          Delivery is paused: {record.paused_reason ?? 'no reason recorded'}. Paste a valid access token below (that lifts the pause), or switch “Pause delivery” off.
        </Alert>
      )}
      <BooleanInput source="paused" label="Pause delivery" helperText="While paused, events for this pixel are kept and wait; nothing is sent to Meta." />
    </>
  );
}

function Title() {
  const p = useRecordContext<PixelRecord>();
  return <span>{p ? `Edit pixel: ${p.name}` : 'Edit pixel'}</span>;
}

export function PixelEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      title={<Title />}
      redirect="show"
      transform={(d: Partial<PixelRecord> & { access_token?: string | null }, opts?: { previousData?: PixelRecord }) => ({
        ...pick(d),
        ...(typeof d.paused === 'boolean' && d.paused !== opts?.previousData?.paused ? { paused: d.paused } : {}),
      })}
      actions={
        <TopToolbar>
          <ListButton label="All pixels" />
          <ShowButton />
        </TopToolbar>
      }
    >
      <SimpleForm toolbar={<Toolbar><SaveButton /></Toolbar>}>
        <TextInput source="dataset_id" label="Pixel (dataset) ID" disabled helperText="Cannot change; add another pixel instead." sx={{ maxWidth: 480 }} fullWidth />
        <PausedInput />
        <CommonFields isEdit />
      </SimpleForm>
    </Edit>
  );
}

export function PixelCreate() {
  return (
    <Create title="Add a pixel" redirect="show" transform={(d: Partial<PixelRecord> & { access_token?: string | null }) => ({ dataset_id: d.dataset_id, ...pick(d) })}>
      <SimpleForm defaultValues={{ enabled: true, allowed_origins: [] }}>
        <TextInput source="dataset_id" label="Pixel (dataset) ID" validate={validateDatasetId} helperText="The number shown in Meta Events Manager under Data sources" sx={{ maxWidth: 480 }} fullWidth />
        <CommonFields isEdit={false} />
      </SimpleForm>
    </Create>
  );
}
