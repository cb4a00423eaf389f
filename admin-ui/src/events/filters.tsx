import { AutocompleteInput, DateInput, NumberInput, ReferenceInput, SelectInput, TextInput, useGetList } from 'react-admin';
import { statusChoices } from '../shared/statuses';
import type { DefinitionRecord } from '../types';

/** Event names from the event definitions (standard and custom), for the "Event" filter. */
function EventNameInput(props: { source: string; label?: string; alwaysOn?: boolean }) {
  const { data, isPending } = useGetList<DefinitionRecord>('event-definitions', { pagination: { page: 1, perPage: 1000 }, sort: { field: 'name', order: 'ASC' } });
  const choices = (data ?? []).map((d) => ({ id: d.name, name: d.name }));
  return <AutocompleteInput {...props} choices={choices} isPending={isPending} helperText={false} sx={{ minWidth: 220 }} />;
}

export const sourceChoices = [
  { id: 'browser', name: 'Browser (tracking client)' },
  { id: 'server', name: 'Server (API key)' },
];

/** Every filter of the events list; the first ones are always visible, the others behind "Add filter". */
export const eventFilters = [
  <SelectInput key="status" source="status" label="Status" choices={statusChoices} alwaysOn emptyText="Any status" helperText={false} />,
  <EventNameInput key="event_name" source="event_name" label="Event" alwaysOn />,
  <TextInput key="q" source="q" label="Event ID starts with" alwaysOn helperText={false} />,
  <ReferenceInput key="pixel_id" source="pixel_id" reference="pixels" label="Pixel">
    <SelectInput label="Pixel" optionText="name" emptyText="Any pixel" helperText={false} />
  </ReferenceInput>,
  <SelectInput key="source" source="source" label="Sent from" choices={sourceChoices} emptyText="Browser or server" helperText={false} />,
  <DateInput key="created_at_gte" source="created_at_gte" label="Received from" helperText={false} />,
  <DateInput key="created_at_lte" source="created_at_lte" label="Received until" helperText={false} />,
  <TextInput key="event_id" source="event_id" label="Event ID (exact)" helperText={false} />,
  <NumberInput key="last_error_code" source="last_error_code" label="Meta error code" helperText={false} />,
];
