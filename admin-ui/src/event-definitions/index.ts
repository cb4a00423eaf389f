import ToggleOnIcon from '@mui/icons-material/ToggleOn';
import type { DefinitionRecord } from '../types';
import { DefinitionList } from './DefinitionList';
import { DefinitionCreate, DefinitionEdit } from './DefinitionForms';

/** Event definitions: which events exist and which are sent to Meta. */
export default {
  list: DefinitionList,
  edit: DefinitionEdit,
  create: DefinitionCreate,
  show: undefined,
  icon: ToggleOnIcon,
  recordRepresentation: (d: DefinitionRecord) => d.name,
};
