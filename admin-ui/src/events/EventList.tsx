import { Box, Typography } from '@mui/material';
import EventNoteIcon from '@mui/icons-material/EventNote';
import { DataTable, ExportButton, FilterButton, List, ReferenceField, TextField, TopToolbar, useRecordContext } from 'react-admin';
import { EmptyState } from '../shared/EmptyState';
import { StatusField } from '../shared/StatusChip';
import { TimeField } from '../shared/fields';
import { useCan } from '../permissions';
import { RETRYABLE_STATUSES, type EventRecord } from '../types';
import { eventFilters } from './filters';
import { RetryMatchingButton, RetrySelectedButton } from './RetryButtons';

function EventListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <RetryMatchingButton />
      <ExportButton maxResults={10_000} />
    </TopToolbar>
  );
}

function NoEvents() {
  return (
    <EmptyState icon={<EventNoteIcon />} title="No events yet">
      Events appear here as soon as your website (through the tracking client) or a backend service (through <code>POST /v1/events</code> with an API key) sends them. Ask your developer to connect
      one, or send a test event from the <b>Pixels</b> page.
    </EmptyState>
  );
}

/** The last error of an event: Meta's code and message, shortened. */
function LastErrorField() {
  const e = useRecordContext<EventRecord>();
  if (!e || (e.last_error_code === null && !e.last_error_message)) return null;
  const code = e.last_error_code !== null ? `#${e.last_error_code}${e.last_error_subcode !== null ? `/${e.last_error_subcode}` : ''} ` : '';
  const text = `${code}${e.last_error_message ?? ''}`;
  return (
    <Typography variant="body2" color="error" title={text} sx={{ maxWidth: 240, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
      {text}
    </Typography>
  );
}

/** The event name, with its event id (what the site or service sent) below it. */
function EventNameField() {
  const e = useRecordContext<EventRecord>();
  if (!e) return null;
  return (
    <Box>
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {e.event_name}
      </Typography>
      <Typography
        variant="caption"
        color="text.secondary"
        title={`Event ID ${e.event_id}, sent from ${SOURCE_LABEL[e.source] ?? e.source}`}
        sx={{ display: 'block', fontFamily: 'monospace', maxWidth: 220, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
      >
        {e.event_id}
      </Typography>
    </Box>
  );
}

const SOURCE_LABEL: Record<string, string> = { browser: 'a browser', server: 'a server' };

export function EventList() {
  const canRetry = useCan('events', 'retry');
  return (
    <List
      title="Events"
      sort={{ field: 'id', order: 'DESC' }}
      perPage={25}
      filters={eventFilters}
      actions={<EventListActions />}
      empty={<NoEvents />}
      sx={{ '& .RaList-content': { overflowX: 'auto' } }}
    >
      <Box sx={{ px: 2, pt: 1 }}>
        <Typography variant="body2" color="text.secondary">
          Every event the bus received, newest first. Click an event to see what was sent and every delivery attempt.
          {canRetry && ' Tick failed or not delivered events to retry them.'}
        </Typography>
      </Box>
      <DataTable
        rowClick="show"
        bulkActionButtons={canRetry ? <RetrySelectedButton /> : false}
        isRowSelectable={(e: EventRecord) => RETRYABLE_STATUSES.includes(e.status)}
      >
        <DataTable.Col source="created_at" label="Received" field={TimeField} />
        <DataTable.Col source="event_name" label="Event">
          <EventNameField />
        </DataTable.Col>
        <DataTable.Col source="status" label="Status">
          <StatusField />
        </DataTable.Col>
        <DataTable.Col source="pixel_id" label="Pixel">
          <ReferenceField source="pixel_id" reference="pixels" link={false}>
            <TextField source="name" />
          </ReferenceField>
        </DataTable.Col>
        <DataTable.NumberCol source="attempts" label="Attempts" />
        <DataTable.Col source="last_error_code" label="Last error">
          <LastErrorField />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
