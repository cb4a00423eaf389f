import { Box, Chip, Typography } from '@mui/material';
import PeopleIcon from '@mui/icons-material/People';
import {
  BooleanInput,
  Create,
  CreateButton,
  DataTable,
  Edit,
  email,
  List,
  ListButton,
  maxLength,
  minLength,
  PasswordInput,
  required,
  SaveButton,
  SelectInput,
  SimpleForm,
  TextInput,
  Toolbar,
  TopToolbar,
  useGetIdentity,
  useRecordContext,
} from 'react-admin';
import { EmptyState } from '../shared/EmptyState';
import { TimeField } from '../shared/fields';
import type { UserRecord } from '../types';

const roleChoices = [
  { id: 'viewer', name: 'Viewer: sees everything, changes nothing' },
  { id: 'admin', name: 'Admin: changes everything, including users and keys' },
];
const validateEmail = [required('The email is required'), email('Enter an email address'), maxLength(191)];
const PASSWORD_HELP = 'At least 10 characters; a few unrelated words work well.';

function RoleField(_props: { label?: string }) {
  const u = useRecordContext<UserRecord>();
  if (!u) return null;
  return <Chip size="small" label={u.role === 'admin' ? 'Admin' : 'Viewer'} color={u.role === 'admin' ? 'primary' : 'default'} variant="outlined" />;
}

function StateField(_props: { label?: string }) {
  const u = useRecordContext<UserRecord>();
  if (!u) return null;
  return u.disabled ? <Chip size="small" label="Disabled" /> : <Chip size="small" color="success" variant="outlined" label="Active" />;
}

export function UserList() {
  return (
    <List
      title="Users"
      sort={{ field: 'email', order: 'ASC' }}
      actions={
        <TopToolbar>
          <CreateButton label="Add a user" />
        </TopToolbar>
      }
      empty={
        <EmptyState icon={<PeopleIcon />} title="No users" action={<CreateButton label="Add a user" variant="contained" />}>
          Add the people who use this dashboard.
        </EmptyState>
      }
    >
      <Box sx={{ px: 2, pt: 1 }}>
        <Typography variant="body2" color="text.secondary">
          People who can sign in to this dashboard. Viewers see everything and change nothing; admins change everything. Disable a user to sign them out everywhere.
        </Typography>
      </Box>
      <DataTable rowClick="edit" bulkActionButtons={false}>
        <DataTable.Col source="email" label="Email" />
        <DataTable.Col source="role" label="Role">
          <RoleField />
        </DataTable.Col>
        <DataTable.Col source="disabled" label="State">
          <StateField />
        </DataTable.Col>
        <DataTable.Col source="last_login_at" label="Last sign-in">
          <TimeField source="last_login_at" empty="never" />
        </DataTable.Col>
        <DataTable.Col source="created_at" label="Added" field={TimeField} />
      </DataTable>
    </List>
  );
}

function EditFields() {
  const record = useRecordContext<UserRecord>();
  const { identity } = useGetIdentity();
  const self = record !== undefined && identity?.id === record.id;
  return (
    <>
      <TextInput source="email" label="Email" validate={validateEmail} type="email" sx={{ maxWidth: 480 }} fullWidth />
      <SelectInput source="role" label="Role" choices={roleChoices} validate={required()} disabled={self} helperText={self ? 'You cannot change your own role.' : false} sx={{ maxWidth: 480 }} fullWidth />
      <BooleanInput source="disabled" label="Disabled (cannot sign in)" disabled={self} helperText={self ? 'You cannot disable your own account.' : false} />
      <PasswordInput source="password" label="New password" validate={[minLength(10, PASSWORD_HELP)]} autoComplete="new-password" helperText={`Leave empty to keep the current password. ${PASSWORD_HELP}`} sx={{ maxWidth: 480 }} fullWidth />
    </>
  );
}

function Title() {
  const u = useRecordContext<UserRecord>();
  return <span>{u ? `User: ${u.email}` : 'User'}</span>;
}

export function UserEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      title={<Title />}
      redirect="list"
      transform={(d: Partial<UserRecord> & { password?: string | null }) => ({ email: d.email, role: d.role, disabled: d.disabled, ...(d.password ? { password: d.password } : {}) })}
      actions={
        <TopToolbar>
          <ListButton label="All users" />
        </TopToolbar>
      }
    >
      <SimpleForm toolbar={<Toolbar><SaveButton /></Toolbar>}>
        <EditFields />
      </SimpleForm>
    </Edit>
  );
}

export function UserCreate() {
  return (
    <Create title="Add a user" redirect="list">
      <SimpleForm defaultValues={{ role: 'viewer' }}>
        <TextInput source="email" label="Email" validate={validateEmail} type="email" sx={{ maxWidth: 480 }} fullWidth />
        <PasswordInput source="password" label="Password" validate={[required('Set a first password'), minLength(10, PASSWORD_HELP)]} autoComplete="new-password" helperText={`${PASSWORD_HELP} Give it to the person; they can ask an admin to change it.`} sx={{ maxWidth: 480 }} fullWidth />
        <SelectInput source="role" label="Role" choices={roleChoices} validate={required()} sx={{ maxWidth: 480 }} fullWidth />
      </SimpleForm>
    </Create>
  );
}
