import { Box, Chip, Typography } from '@mui/material';
import ToggleOnIcon from '@mui/icons-material/ToggleOn';
import { CreateButton, DataTable, FilterButton, List, NullableBooleanInput, SearchInput, SelectInput, TopToolbar, useRecordContext } from 'react-admin';
import { EmptyState } from '../shared/EmptyState';
import { useCan } from '../permissions';
import type { DefinitionRecord } from '../types';
import { CountsField } from './CountsField';
import { EnabledToggle } from './EnabledToggle';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search by name" />,
  <NullableBooleanInput key="enabled" source="enabled" label="On / off" trueLabel="On" falseLabel="Off" nullLabel="Both" alwaysOn helperText={false} />,
  <SelectInput
    key="is_standard"
    source="is_standard"
    label="Kind"
    choices={[
      { id: true, name: 'Standard (Meta)' },
      { id: false, name: 'Custom' },
    ]}
    emptyText="Standard and custom"
    helperText={false}
  />,
];

function Actions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton label="New custom event" />
    </TopToolbar>
  );
}

function KindField(_props: { label?: string }) {
  const d = useRecordContext<DefinitionRecord>();
  if (!d) return null;
  return <Chip size="small" variant="outlined" label={d.is_standard ? 'Standard' : 'Custom'} color={d.is_standard ? 'primary' : 'secondary'} />;
}

function NameField(_props: { label?: string }) {
  const d = useRecordContext<DefinitionRecord>();
  if (!d) return null;
  return (
    <Box>
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {d.name}
      </Typography>
      {d.description && (
        <Typography variant="caption" color="text.secondary" sx={{ display: 'block', maxWidth: 420 }}>
          {d.description}
        </Typography>
      )}
    </Box>
  );
}

export function DefinitionList() {
  const canEdit = useCan('event-definitions', 'edit');
  return (
    <List title="Event definitions" sort={{ field: 'name', order: 'ASC' }} perPage={50} filters={filters} actions={<Actions />} empty={<NoDefinitions />}>
      <Box sx={{ px: 2, pt: 1 }}>
        <Typography variant="body2" color="text.secondary">
          Switch an event off to stop sending it to Meta: it still arrives and is kept (as “Skipped”), but is not sent. The change applies to the next event received.
        </Typography>
      </Box>
      <DataTable rowClick={canEdit ? 'edit' : false} bulkActionButtons={false}>
        <DataTable.Col source="name" label="Event">
          <NameField />
        </DataTable.Col>
        <DataTable.Col source="enabled" label="Sent to Meta">
          <EnabledToggle />
        </DataTable.Col>
        <DataTable.Col source="is_standard" label="Kind">
          <KindField />
        </DataTable.Col>
        <DataTable.Col source="counts_24h" label="Last 24 hours" disableSort>
          <CountsField source="counts_24h" />
        </DataTable.Col>
        <DataTable.Col source="counts_7d" label="Last 7 days" disableSort>
          <CountsField source="counts_7d" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

function NoDefinitions() {
  return (
    <EmptyState icon={<ToggleOnIcon />} title="No event definitions" action={<CreateButton label="New custom event" variant="contained" />}>
      Meta’s standard events (Purchase, Lead, PageView…) are added when the database is seeded (<code>npm run seed</code>). Add a custom event for anything else your site tracks.
    </EmptyState>
  );
}
