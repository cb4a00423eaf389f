import { Box, Typography } from '@mui/material';
import LockIcon from '@mui/icons-material/Lock';
import { Login, LoginForm, PasswordInput, TextInput, email, required } from 'react-admin';

/** Email + password sign-in (the API's `POST auth/login`); errors come back in words from the API. */
export function LoginPage() {
  return (
    <Login avatarIcon={<LockIcon />}>
      <Box sx={{ px: 2, textAlign: 'center' }}>
        <Typography variant="h6" component="h1">
          MetaConversions Bus
        </Typography>
        <Typography variant="body2" color="text.secondary">
          Sign in to see and control what is sent to Meta.
        </Typography>
      </Box>
      <LoginForm>
        <TextInput autoFocus source="email" label="Email" type="email" autoComplete="email" validate={[required('Enter your email'), email('Enter an email address')]} />
        <PasswordInput source="password" label="Password" autoComplete="current-password" validate={required('Enter your password')} />
      </LoginForm>
      <Typography variant="caption" color="text.secondary" component="p" sx={{ px: 2, pb: 2, textAlign: 'center' }}>
        No account? Ask an admin of this dashboard to add you.
      </Typography>
    </Login>
  );
}
