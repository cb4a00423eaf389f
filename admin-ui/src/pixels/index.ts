import FacebookIcon from '@mui/icons-material/Facebook';
import type { PixelRecord } from '../types';
import { PixelCreate, PixelEdit } from './PixelForms';
import { PixelList } from './PixelList';
import { PixelShow } from './PixelShow';

/** Pixels (Meta datasets): where events go, with a write-only access token. */
export default {
  list: PixelList,
  show: PixelShow,
  edit: PixelEdit,
  create: PixelCreate,
  icon: FacebookIcon,
  recordRepresentation: (p: PixelRecord) => `${p.name} (${p.dataset_id})`,
};
