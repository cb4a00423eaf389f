import PeopleIcon from '@mui/icons-material/People';
import type { UserRecord } from '../types';
import { UserCreate, UserEdit, UserList } from './UserViews';

/** Dashboard users (admins only). */
export default {
  list: UserList,
  edit: UserEdit,
  create: UserCreate,
  show: undefined,
  icon: PeopleIcon,
  recordRepresentation: (u: UserRecord) => u.email,
};
