// A parent on a phone with JavaScript switched off: the whole journey still works.
import { parentJourney } from './journey.mjs';

parentJourney({ title: 'parent without JavaScript', family: 'F1007', lang: 'en', js: false, signer: 'Fatima Khan' });
