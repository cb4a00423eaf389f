import { useCanAccess } from 'react-admin';

export type Role = 'admin' | 'viewer';

/** What react-admin (and our own buttons) may ask about; everything else is a write. */
const READ_ACTIONS = new Set(['list', 'show', 'export', 'read']);

/** Resources a viewer cannot even read. */
const ADMIN_ONLY_RESOURCES = new Set(['users']);

/**
 * The same matrix as the API's route table: an admin does everything; a viewer reads everything
 * except users and changes nothing. The API enforces it; the UI uses it to hide what would be refused.
 */
export function roleCanAccess(role: Role | undefined, resource: string, action: string): boolean {
  if (role === 'admin') return true;
  if (role !== 'viewer') return false;
  if (ADMIN_ONLY_RESOURCES.has(resource)) return false;
  return READ_ACTIONS.has(action);
}

/** True once it is known that the signed-in user may do `action` on `resource` (false while loading). */
export function useCan(resource: string, action: string): boolean {
  const { canAccess, isPending } = useCanAccess({ resource, action });
  return !isPending && canAccess === true;
}
