import { BrowserRouter } from 'react-router-dom';
import { Admin, Resource } from 'react-admin';
import { authProvider } from './authProvider';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { Dashboard } from './dashboard/Dashboard';
import { LoginPage } from './layout/LoginPage';
import { theme } from './layout/theme';
import events from './events';
import definitions from './event-definitions';
import pixels from './pixels';
import apiKeys from './api-keys';
import users from './users';
import settings from './settings';

/**
 * The dashboard: served under /admin/ (real URLs, the server falls back to index.html for them);
 * one folder per resource. What a viewer may not do is hidden through `authProvider.canAccess`,
 * which mirrors the API's route table; the API refuses it anyway.
 */
export function App() {
  return (
    <BrowserRouter basename="/admin">
      <Admin
        title="MetaConversions Bus"
        dataProvider={dataProvider}
        authProvider={authProvider}
        i18nProvider={i18nProvider}
        dashboard={Dashboard}
        loginPage={LoginPage}
        theme={theme}
        requireAuth
        disableTelemetry
      >
        <Resource name="events" {...events} />
        <Resource name="event-definitions" {...definitions} />
        <Resource name="pixels" {...pixels} />
        <Resource name="api-keys" {...apiKeys} />
        <Resource name="users" {...users} />
        <Resource name="settings" {...settings} />
      </Admin>
    </BrowserRouter>
  );
}
