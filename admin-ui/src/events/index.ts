import EventNoteIcon from '@mui/icons-material/EventNote';
import type { EventRecord } from '../types';
import { EventList } from './EventList';
import { EventShow } from './EventShow';

/** Events: read-only list and detail; retries are actions, not edits. */
export default {
  list: EventList,
  show: EventShow,
  edit: undefined,
  create: undefined,
  icon: EventNoteIcon,
  recordRepresentation: (e: EventRecord) => `${e.event_name} #${e.id}`,
};
