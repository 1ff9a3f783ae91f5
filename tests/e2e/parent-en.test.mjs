// A parent on a phone, in English, with the family's QR code.
import { parentJourney } from './journey.mjs';

parentJourney({ title: 'parent in English', family: 'F1004', lang: 'en', signer: 'Siobhan O\'Brien' });
