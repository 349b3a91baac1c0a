/**
 * The geocoding services' names and default API roots, in a module of their
 * own so the service catalogue (and integctl) can name them without loading
 * the providers' HTTP clients.
 */
export const GOOGLE_MAPS_SERVICE = 'google_maps';
export const GOOGLE_MAPS_DEFAULT_ROOT = 'https://maps.googleapis.com';
export const YANDEX_MAPS_SERVICE = 'yandex_maps';
export const YANDEX_MAPS_DEFAULT_ROOT = 'https://geocode-maps.yandex.ru';
