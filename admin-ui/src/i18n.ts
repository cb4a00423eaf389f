import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';

/** react-admin's English messages, with the wording of this dashboard and resource names. */
const messages = {
  ...englishMessages,
  ra: {
    ...englishMessages.ra,
    auth: { ...englishMessages.ra.auth, username: 'Email', sign_in_error: 'Sign-in failed; try again.', auth_check_error: 'Sign in to continue.' },
    message: {
      ...englishMessages.ra.message,
      invalid_form: 'Some fields need attention: see the messages in red.',
    },
    notification: {
      ...englishMessages.ra.notification,
      http_error: 'The server could not be reached; try again.',
      created: 'Added.',
      updated: 'Saved.',
      deleted: 'Deleted.',
      logged_out: 'You were signed out; sign in again.',
      not_authorized: 'You are not allowed to do that.',
    },
    page: { ...englishMessages.ra.page, dashboard: 'Dashboard', empty: 'Nothing here yet' },
    navigation: { ...englishMessages.ra.navigation, no_filtered_results: 'Nothing matches the current filters.', no_results: 'Nothing found.' },
  },
  resources: {
    events: { name: 'Event |||| Events' },
    'event-definitions': { name: 'Event definition |||| Event definitions' },
    pixels: { name: 'Pixel |||| Pixels' },
    'api-keys': { name: 'API key |||| API keys' },
    users: { name: 'User |||| Users' },
    settings: { name: 'Settings |||| Settings' },
  },
};

export const i18nProvider = polyglotI18nProvider(() => messages, 'en', [{ locale: 'en', name: 'English' }], { allowMissing: true });
