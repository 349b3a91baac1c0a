/**
 * The places both fake geocoders know, each as Google and as Yandex describe
 * it (field for field as their APIs answer: Google's address_components with
 * long and short names, Yandex's Components with its kinds and "lon lat"
 * positions). Moscow in Russian, London in English; a street without a house
 * and a house number that does not exist, for precision and confidence.
 */
export interface GoogleComponent {
  long_name: string;
  short_name: string;
  types: string[];
}

export interface Place {
  id: string;
  /** Queries that find it, compared after normalise(). */
  aliases: string[];
  lat: number;
  lng: number;
  /** Whether a reverse lookup near it finds it (a street's centre is not an address). */
  reverse: boolean;
  google: {
    formatted_address: string;
    address_components: GoogleComponent[];
    location_type: 'ROOFTOP' | 'RANGE_INTERPOLATED' | 'GEOMETRIC_CENTER' | 'APPROXIMATE';
    types: string[];
    place_id: string;
    partial_match?: boolean;
  };
  yandex: {
    /** "longitude latitude", as Yandex writes it. */
    pos: string;
    precision: string;
    kind: string;
    name: string;
    description: string;
    formatted: string;
    country_code: string;
    postal_code?: string;
    components: Array<{ kind: string; name: string }>;
    uri: string;
  };
}

const c = (long_name: string, short_name: string, ...types: string[]): GoogleComponent => ({
  long_name,
  short_name,
  types,
});

const MOSCOW_GOOGLE = [
  c('Москва', 'Москва', 'locality', 'political'),
  c('Москва', 'Москва', 'administrative_area_level_1', 'political'),
  c('Россия', 'RU', 'country', 'political'),
];
const MOSCOW_YANDEX = [
  { kind: 'country', name: 'Россия' },
  { kind: 'province', name: 'Центральный федеральный округ' },
  { kind: 'province', name: 'Москва' },
  { kind: 'locality', name: 'Москва' },
];

export const NOVY_ARBAT_24: Place = {
  id: 'novy-arbat-24',
  aliases: ['Москва, улица Новый Арбат, 24', 'Москва, Новый Арбат, 24', 'ул. Новый Арбат, 24, Москва'],
  lat: 55.7521486,
  lng: 37.5847163,
  reverse: true,
  google: {
    formatted_address: 'ул. Новый Арбат, 24, Москва, Россия, 119019',
    address_components: [
      c('24', '24', 'street_number'),
      c('улица Новый Арбат', 'ул. Новый Арбат', 'route'),
      c('Арбат', 'Арбат', 'political', 'sublocality', 'sublocality_level_1'),
      ...MOSCOW_GOOGLE,
      c('119019', '119019', 'postal_code'),
    ],
    location_type: 'ROOFTOP',
    types: ['street_address'],
    place_id: 'ChIJd1KjvU5KtUYRzXh2Hq0aL8Q',
  },
  yandex: {
    pos: '37.584716 55.752149',
    precision: 'exact',
    kind: 'house',
    name: 'улица Новый Арбат, 24',
    description: 'Москва, Россия',
    formatted: 'Россия, Москва, улица Новый Арбат, 24',
    country_code: 'RU',
    postal_code: '119019',
    components: [
      ...MOSCOW_YANDEX,
      { kind: 'street', name: 'улица Новый Арбат' },
      { kind: 'house', name: '24' },
    ],
    uri: 'ymapsbm1://geo?data=Cgg1NjY5NzE5MBJB0KDQvtGB0YHQuNGPLCDQnNC-0YHQutCy0LAsINGD0LvQuNGG0LAg0J3QvtCy0YvQuSDQkNGA0LHQsNGCLCAyNCIKDUxXFkIVMApfQg,,',
  },
};

export const TVERSKAYA: Place = {
  id: 'tverskaya',
  aliases: ['Москва, Тверская улица', 'Тверская улица, Москва'],
  lat: 55.7640126,
  lng: 37.6055131,
  reverse: false,
  google: {
    formatted_address: 'Тверская ул., Москва, Россия',
    address_components: [c('Тверская улица', 'Тверская ул.', 'route'), ...MOSCOW_GOOGLE],
    location_type: 'GEOMETRIC_CENTER',
    types: ['route'],
    place_id: 'EjbQotCy0LXRgNGB0LrQsNGPINGD0LsuLCDQnNC-0YHQutCy0LAsINCg0L7RgdGB0LjRjyIuKiwKFAoS',
  },
  yandex: {
    pos: '37.605513 55.764013',
    precision: 'street',
    kind: 'street',
    name: 'Тверская улица',
    description: 'Москва, Россия',
    formatted: 'Россия, Москва, Тверская улица',
    country_code: 'RU',
    components: [...MOSCOW_YANDEX, { kind: 'street', name: 'Тверская улица' }],
    uri: 'ymapsbm1://geo?data=CgoxNTI1NzQ1MTI3EjfQoNC-0YHRgdC40Y8sINCc0L7RgdC60LLQsCwg0KLQstC10YDRgdC60LDRjyDRg9C70LjRhtCw',
  },
};

/** A house number Novy Arbat does not have: Google matches part of it, Yandex a neighbour. */
export const NOVY_ARBAT_240: Place = {
  id: 'novy-arbat-240',
  aliases: ['Москва, улица Новый Арбат, 240'],
  lat: 55.7515399,
  lng: 37.5819224,
  reverse: false,
  google: {
    formatted_address: 'ул. Новый Арбат, Москва, Россия, 121099',
    address_components: [
      c('улица Новый Арбат', 'ул. Новый Арбат', 'route'),
      ...MOSCOW_GOOGLE,
      c('121099', '121099', 'postal_code'),
    ],
    location_type: 'GEOMETRIC_CENTER',
    types: ['route'],
    place_id: 'EjPRg9C7LiDQndC-0LLRi9C5INCQ0YDQsdCw0YIsINCc0L7RgdC60LLQsCwg0KDQvtGB0YHQuNGPIi4qLAoU',
    partial_match: true,
  },
  yandex: {
    pos: '37.581922 55.751540',
    precision: 'near',
    kind: 'house',
    name: 'улица Новый Арбат, 36',
    description: 'Москва, Россия',
    formatted: 'Россия, Москва, улица Новый Арбат, 36',
    country_code: 'RU',
    postal_code: '121099',
    components: [
      ...MOSCOW_YANDEX,
      { kind: 'street', name: 'улица Новый Арбат' },
      { kind: 'house', name: '36' },
    ],
    uri: 'ymapsbm1://geo?data=Cgg1NjY5NzIwNBJB0KDQvtGB0YHQuNGPLCDQnNC-0YHQutCy0LAsINGD0LvQuNGG0LAg0J3QvtCy0YvQuSDQkNGA0LHQsNGCLCAzNiIKDeUxFkIV3QFfQg,,',
  },
};

export const DOWNING_STREET_10: Place = {
  id: 'downing-street-10',
  aliases: ['10 Downing Street, London', '10 Downing St, London SW1A 2AA'],
  lat: 51.5033635,
  lng: -0.1276248,
  reverse: true,
  google: {
    formatted_address: '10 Downing St, London SW1A 2AA, UK',
    address_components: [
      c('10', '10', 'street_number'),
      c('Downing Street', 'Downing St', 'route'),
      c('London', 'London', 'postal_town'),
      c('Greater London', 'Greater London', 'administrative_area_level_2', 'political'),
      c('England', 'England', 'administrative_area_level_1', 'political'),
      c('United Kingdom', 'GB', 'country', 'political'),
      c('SW1A 2AA', 'SW1A 2AA', 'postal_code'),
    ],
    location_type: 'ROOFTOP',
    types: ['street_address'],
    place_id: 'ChIJRxzRQcUEdkgRGVaKyzmkgvg',
  },
  yandex: {
    pos: '-0.127636 51.503364',
    precision: 'exact',
    kind: 'house',
    name: 'Downing Street, 10',
    description: 'London, England, United Kingdom',
    formatted: 'United Kingdom, England, London, Downing Street, 10',
    country_code: 'GB',
    postal_code: 'SW1A 2AA',
    components: [
      { kind: 'country', name: 'United Kingdom' },
      { kind: 'province', name: 'England' },
      { kind: 'area', name: 'Greater London' },
      { kind: 'locality', name: 'London' },
      { kind: 'street', name: 'Downing Street' },
      { kind: 'house', name: '10' },
    ],
    uri: 'ymapsbm1://geo?data=IgoNgLMCvhW0Ak5C',
  },
};

export const PLACES: readonly Place[] = [NOVY_ARBAT_24, TVERSKAYA, NOVY_ARBAT_240, DOWNING_STREET_10];
