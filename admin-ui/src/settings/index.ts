import SettingsIcon from '@mui/icons-material/Settings';
import { SettingsPage } from './SettingsPage';

/** Settings: one record (settings/1). The list route opens it directly. */
export default {
  list: SettingsPage,
  edit: SettingsPage,
  create: undefined,
  show: undefined,
  icon: SettingsIcon,
  recordRepresentation: () => 'Settings',
};
