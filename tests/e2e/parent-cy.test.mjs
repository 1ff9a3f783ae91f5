// A parent on a phone, in Welsh: the household's language, so the QR code opens in Welsh.
import { parentJourney } from './journey.mjs';

parentJourney({ title: 'parent in Welsh', family: 'F1001', lang: 'cy', signer: 'Elin Pritchard-Jones' });
