import { Content, CustomData, ServerEvent, UserData } from 'facebook-nodejs-business-sdk';
import type { StoredEvent } from '../events/schemas';
import { HASHED_KEYS } from '../user-data/normalize';

const MULTI_VALUE = new Set<string>(HASHED_KEYS);

type Sdk<T> = { [k: string]: unknown } & T;

const USER_SETTERS: Record<string, keyof UserData> = {
  em: 'setEmails',
  ph: 'setPhones',
  fn: 'setFirstNames',
  ln: 'setLastNames',
  ge: 'setGenders',
  db: 'setDatesOfBirth',
  ct: 'setCities',
  st: 'setStates',
  zp: 'setZips',
  country: 'setCountries',
  external_id: 'setExternalIds',
  client_ip_address: 'setClientIpAddress',
  client_user_agent: 'setClientUserAgent',
  fbc: 'setFbc',
  fbp: 'setFbp',
  subscription_id: 'setSubscriptionId',
  fb_login_id: 'setFbLoginId',
  lead_id: 'setLeadId',
  madid: 'setMadid',
  anon_id: 'setAnonId',
  page_id: 'setPageId',
  ctwa_clid: 'setCtwaClid',
};

const CUSTOM_SETTERS: Record<string, string> = {
  value: 'setValue',
  currency: 'setCurrency',
  content_name: 'setContentName',
  content_category: 'setContentCategory',
  content_ids: 'setContentIds',
  content_type: 'setContentType',
  order_id: 'setOrderId',
  num_items: 'setNumItems',
  search_string: 'setSearchString',
  status: 'setStatus',
  predicted_ltv: 'setPredictedLtv',
};

function call(target: object, setter: string, value: unknown): void {
  const fn = (target as Record<string, unknown>)[setter];
  if (typeof fn !== 'function') throw new Error(`SDK has no ${setter}`);
  (fn as (v: unknown) => unknown).call(target, value);
}

/**
 * Builds the SDK's ServerEvent from a stored event. User data is already normalized and hashed
 * (64-hex), which the SDK passes through unchanged. Throws when an SDK setter refuses a value, so
 * the caller can fail that one event instead of losing the batch.
 */
export function toServerEvent(e: StoredEvent): ServerEvent {
  const user = new UserData();
  for (const [k, v] of Object.entries(e.user_data)) {
    const setter = USER_SETTERS[k];
    if (!setter) continue;
    const list = Array.isArray(v) ? v : [v];
    call(user, setter as string, MULTI_VALUE.has(k) ? list : list[0]);
  }
  const event = new ServerEvent()
    .setEventName(e.event_name)
    .setEventTime(e.event_time)
    .setEventId(e.event_id)
    .setActionSource(e.action_source)
    .setUserData(user);
  if (e.event_source_url) event.setEventSourceUrl(e.event_source_url);
  if (e.opt_out !== undefined) event.setOptOut(e.opt_out);
  if (e.data_processing_options) event.setDataProcessingOptions(e.data_processing_options);
  if (e.data_processing_options_country !== undefined) event.setDataProcessingOptionsCountry(e.data_processing_options_country);
  if (e.data_processing_options_state !== undefined) event.setDataProcessingOptionsState(e.data_processing_options_state);
  if (e.custom_data) event.setCustomData(toCustomData(e.custom_data));
  // The SDK validates again in EventRequest.execute(); a refusal there is treated as a permanent
  // rejection of the batch, which is split until only the refused event fails. Normalizing here
  // too would do the SDK's most expensive step twice for every event.
  return event;
}

function toCustomData(data: Record<string, unknown>): CustomData {
  const custom = new CustomData() as Sdk<CustomData>;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || v === null) continue;
    if (k === 'contents' && Array.isArray(v)) {
      custom.setContents(
        v.map((c: { id: string; quantity?: number; item_price?: number }) => {
          const content = new Content().setId(c.id);
          if (c.quantity !== undefined) content.setQuantity(c.quantity);
          if (c.item_price !== undefined) content.setItemPrice(c.item_price);
          return content;
        }),
      );
    } else if (CUSTOM_SETTERS[k]) {
      call(custom, CUSTOM_SETTERS[k], k === 'currency' ? String(v).toLowerCase() : v);
    } else {
      extra[k] = v;
    }
  }
  if (Object.keys(extra).length) custom.setCustomProperties(extra);
  return custom;
}
