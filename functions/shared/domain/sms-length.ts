/**
 * A text message's length as the carriers count it, for configuration errors and cost figures:
 * a message that fits the GSM 03.38 alphabet goes as GSM-7 (160 characters, 153 per part once
 * concatenated: the part header takes 7); anything else (Chinese, emoji) goes as UCS-2, counted in
 * UTF-16 code units (70, 67 per part concatenated). Carriers bill each part.
 */

/** GSM 03.38 basic alphabet (one septet each). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** The extension table: an escape septet plus the character, so two septets each. */
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  parts: number;
}

const LIMITS: Record<SmsEncoding, { single: number; concatenated: number }> = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
};

export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const char of text) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else return measured('UCS-2', text.length);
  }
  return measured('GSM-7', septets);
}

function measured(encoding: SmsEncoding, units: number): SmsLength {
  const limit = LIMITS[encoding];
  const parts = units === 0 ? 1 : units <= limit.single ? 1 : Math.ceil(units / limit.concatenated);
  return { encoding, units, parts };
}

/** "2 parts (UCS-2, 95 characters)": how an error or a cost figure names a message's size. */
export function describeSmsLength(length: SmsLength): string {
  const parts = `${length.parts} part${length.parts === 1 ? '' : 's'}`;
  const units = length.encoding === 'GSM-7' ? 'septets' : 'characters';
  return `${parts} (${length.encoding}, ${length.units} ${units})`;
}
