import KeyIcon from '@mui/icons-material/Key';
import type { ApiKeyRecord } from '../types';
import { ApiKeyCreate } from './ApiKeyCreate';
import { ApiKeyList } from './ApiKeyList';

/** API keys of backend services: created (shown once), listed, revoked. */
export default {
  list: ApiKeyList,
  create: ApiKeyCreate,
  edit: undefined,
  show: undefined,
  icon: KeyIcon,
  recordRepresentation: (k: ApiKeyRecord) => k.name,
};
