import { Alert, Box, Typography } from '@mui/material';
import {
  BooleanInput,
  Create,
  DeleteButton,
  Edit,
  ListButton,
  SaveButton,
  SimpleForm,
  TextInput,
  Toolbar,
  TopToolbar,
  maxLength,
  regex,
  required,
  useRecordContext,
} from 'react-admin';
import type { DefinitionRecord } from '../types';

const validateName = [required('Give the event a name'), maxLength(100, 'At most 100 characters'), regex(/^[A-Za-z0-9_\-. ]+$/, 'Letters, digits, spaces, _ - and . only')];
const validateDescription = [maxLength(1000, 'At most 1000 characters')];

/** Only what the form edits is sent; a standard event only changes its on/off state. */
const transform = (data: Partial<DefinitionRecord>, options?: { previousData?: DefinitionRecord }) =>
  options?.previousData?.is_standard ? { enabled: data.enabled } : { name: data.name, description: data.description ?? '', enabled: data.enabled };

function EditToolbar() {
  const record = useRecordContext<DefinitionRecord>();
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      {record && !record.is_standard && (
        <DeleteButton
          mutationMode="pessimistic"
          confirmTitle={`Delete the custom event ${record.name}?`}
          confirmContent="Events already received keep their name; new events with this name will be refused until you create it again."
        />
      )}
    </Toolbar>
  );
}

function Fields({ isStandard }: { isStandard: boolean }) {
  return (
    <>
      {isStandard && (
        <Alert severity="info" sx={{ mb: 2, width: '100%', maxWidth: 640 }}>
          This is a standard Meta event: its name and description are Meta’s. You can only switch it on or off.
        </Alert>
      )}
      <TextInput source="name" label="Event name" validate={validateName} disabled={isStandard} helperText={isStandard ? false : 'Exactly as your site or backend sends it, e.g. TrailGuideDownloaded'} sx={{ maxWidth: 640 }} fullWidth />
      <TextInput source="description" label="Description" validate={validateDescription} disabled={isStandard} multiline minRows={2} helperText={isStandard ? false : 'What the event means, for your team'} sx={{ maxWidth: 640 }} fullWidth />
      <BooleanInput source="enabled" label="Send to Meta" helperText="When off, these events are kept as “Skipped” and not sent." />
    </>
  );
}

function EditFields() {
  const record = useRecordContext<DefinitionRecord>();
  return <Fields isStandard={Boolean(record?.is_standard)} />;
}

function Title() {
  const record = useRecordContext<DefinitionRecord>();
  return <span>{record ? `Event: ${record.name}` : 'Event'}</span>;
}

export function DefinitionEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={transform} title={<Title />} actions={<TopToolbar><ListButton label="All event definitions" /></TopToolbar>} redirect="list">
      <SimpleForm toolbar={<EditToolbar />}>
        <EditFields />
      </SimpleForm>
    </Edit>
  );
}

export function DefinitionCreate() {
  return (
    <Create title="New custom event" redirect="list" transform={(d: Partial<DefinitionRecord>) => ({ name: d.name, description: d.description ?? '', enabled: d.enabled ?? true })}>
      <SimpleForm defaultValues={{ enabled: true }}>
        <Box sx={{ maxWidth: 640, mb: 2 }}>
          <Typography variant="body2" color="text.secondary">
            A custom event is any event that is not one of Meta’s standard events. Intake only accepts event names that are defined here.
          </Typography>
        </Box>
        <Fields isStandard={false} />
      </SimpleForm>
    </Create>
  );
}
