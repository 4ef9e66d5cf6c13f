import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromCivil, formatDay } from '../core/calendar.ts';
import {
  detectDecimal,
  excelSerialToDay,
  isBlank,
  parseDate,
  parseDateText,
  parseMoney,
  parseMoneyText,
  parseQuantity,
  parseQuantityText,
} from './values.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const day = (text: string): string | null => {
  const value = parseDateText(text, null);
  return Number.isNaN(value) ? null : formatDay(value);
};

/** Windows-1250 bytes of a string made of ASCII, `ł`, `Ł` and the non-breaking space. */
function cp1250(text: string): Uint8Array {
  const table: Record<string, number> = { 'ł': 0xb3, 'Ł': 0xa3, '\u00a0': 0xa0 };
  return Uint8Array.from([...text].map((ch) => table[ch] ?? ch.charCodeAt(0)));
}

/** Groups the digits of a non-negative integer string by three with `separator`. */
function group(digits: string, separator: string): string {
  let out = '';
  for (let k = 0; k < digits.length; k++) {
    if (k > 0 && (digits.length - k) % 3 === 0) out += separator;
    out += digits[k];
  }
  return out;
}

describe('parseMoney', () => {
  it('reads every number format of the issue into grosze', () => {
    expect(parseMoneyText('1234.56', '.')).toBe(123456);
    expect(parseMoneyText('1 234,56', ',')).toBe(123456);
    expect(parseMoneyText('1\u00a0234,56', ',')).toBe(123456);
    expect(parseMoneyText('1\u202f234,56', ',')).toBe(123456);
    expect(parseMoneyText('1.234,56', ',')).toBe(123456);
    expect(parseMoneyText('1,234.56', '.')).toBe(123456);
    expect(parseMoneyText('-12,5', ',')).toBe(-1250);
    expect(parseMoneyText('12', ',')).toBe(1200);
    expect(parseMoneyText(',5', ',')).toBe(50);
    expect(parseMoneyText('1.234.567,89', ',')).toBe(123456789);
    expect(parseMoneyText('+7', '.')).toBe(700);
  });

  it('accepts zł, zl and PLN before or after the number, with or without a space', () => {
    for (const text of ['12,50 zł', '12,50zł', 'zł 12,50', 'zł12,50', '12,50 PLN', 'PLN 12,50', '12,50 zl', '12,50 ZŁ', '12,50 pln']) {
      expect(parseMoneyText(text, ',')).toBe(1250);
    }
    expect(parseMoneyText('-1 234,50 zł', ',')).toBe(-123450);
    expect(parseMoneyText('1 234,50 zł-', ',')).toBe(-123450);
    expect(parseMoneyText('zł -5', ',')).toBe(-500);
    expect(parseMoneyText('\u22125,00', ',')).toBe(-500);
  });

  it('reads Windows-1250 bytes: zł as 7A B3 and the non-breaking space as A0', () => {
    const bytes = cp1250('1\u00a0234,56\u00a0zł');
    expect(bytes).toContain(0xb3);
    expect(parseMoney(bytes, 0, bytes.length, ',')).toBe(123456);
    const upper = cp1250('-3,10 ZŁ');
    expect(parseMoney(upper, 0, upper.length, ',')).toBe(-310);
  });

  it('rounds more than two decimals half away from zero', () => {
    expect(parseMoneyText('0,005', ',')).toBe(1);
    expect(parseMoneyText('-0,005', ',')).toBe(-1);
    expect(parseMoneyText('0,00499999', ',')).toBe(0);
    expect(parseMoneyText('2.675', '.')).toBe(268);
    expect(parseMoneyText('-2.675', '.')).toBe(-268);
    expect(parseMoneyText('1.994', '.')).toBe(199);
    expect(parseMoneyText('9.995', '.')).toBe(1000);
  });

  it('is exact up to 2^53 grosze and refuses more rather than lose a grosz', () => {
    expect(parseMoneyText('90071992547409.91', '.')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseMoneyText('-90 071 992 547 409,91', ',')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(parseMoneyText('90071992547409.92', '.')).toBeNaN();
    expect(parseMoneyText('123456789012345678901234567890', '.')).toBeNaN();
  });

  it('gives NaN for empty and unreadable values', () => {
    for (const text of ['', '   ', '-', 'zł', 'abc', '12a', '(12,50)', '1E+3', '12,', '1,2,3', '12 zł zł', '--5', '- -5']) {
      expect(parseMoneyText(text, ',')).toBeNaN();
    }
  });

  it('refuses a number whose grouping does not fit the decimal separator instead of misreading it', () => {
    // With a decimal comma, a dot can only group thousands: `12.5` is not 125 złoty.
    expect(parseMoneyText('12.5', ',')).toBeNaN();
    expect(parseMoneyText('1234.56', ',')).toBeNaN();
    expect(parseMoneyText('12,50', '.')).toBeNaN();
    expect(parseMoneyText('1 2345,00', ',')).toBeNaN();
    expect(parseMoneyText('1.234 567,00', ',')).toBeNaN();
    expect(parseMoneyText('1234 567,00', ',')).toBeNaN();
  });

  it('never reads past the end of its range (the next field follows in the buffer)', () => {
    const bytes = utf8('12,5;7;2023-01-05 13:45;x');
    expect(parseMoney(bytes, 0, 4, ',')).toBe(1250);
    expect(parseMoney(bytes, 5, 6, ',')).toBe(700);
    expect(formatDay(parseDate(bytes, 7, 17, null))).toBe('2023-01-05');
    expect(formatDay(parseDate(bytes, 7, 23, null))).toBe('2023-01-05');
    expect(parseDate(bytes, 7, 20, null)).toBeNaN();
  });

  it('reads back any amount written in any accepted style', () => {
    const styles = [
      (d: string, f: string) => `${d}.${f}`,
      (d: string, f: string) => `${group(d, ' ')},${f}`,
      (d: string, f: string) => `${group(d, '\u00a0')},${f} zł`,
      (d: string, f: string) => `${group(d, '.')},${f}`,
      (d: string, f: string) => `PLN ${group(d, ',')}.${f}`,
    ];
    const decimals = ['.', ',', ',', ',', '.'] as const;
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 4 }), (grosze, style) => {
        const magnitude = Math.abs(grosze);
        const digits = String(Math.floor(magnitude / 100));
        const fraction = String(magnitude % 100).padStart(2, '0');
        const text = (grosze < 0 ? '-' : '') + styles[style]!(digits, fraction);
        expect(parseMoneyText(text, decimals[style]!)).toBe(grosze);
      }),
    );
  });

  it('gives the same on the fast path for plain numbers as on the general one', () => {
    // A leading blank is ignored by the rules but sends the text down the general path.
    fc.assert(
      fc.property(fc.stringMatching(/^-?[0-9]{0,16}([.,][0-9]{0,4})?$/), fc.constantFrom<',' | '.'>(',', '.'), (text, decimal) => {
        expect(Object.is(parseMoneyText(text, decimal), parseMoneyText(` ${text}`, decimal))).toBe(true);
      }),
    );
  });

  it('rounds like exact decimal arithmetic for any number of decimals', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), fc.stringMatching(/^[0-9]{0,8}$/), fc.boolean(), (whole, fraction, negative) => {
        const text = `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
        // Reference: scale by 1000 with BigInt, then round the magnitude half up.
        const thousandths = BigInt(whole) * 1000n + BigInt((fraction + '000').slice(0, 3));
        const expected = Number((thousandths + 5n) / 10n) * (negative ? -1 : 1);
        expect(parseMoneyText(text, '.')).toBe(expected === 0 ? 0 : expected);
      }),
    );
  });
});

describe('parseQuantity', () => {
  it('reads quantities as the nearest double', () => {
    expect(parseQuantityText('1,5', ',')).toBe(1.5);
    expect(parseQuantityText('0.1', '.')).toBe(0.1);
    expect(parseQuantityText('-3', ',')).toBe(-3);
    expect(parseQuantityText('1 000,25', ',')).toBe(1000.25);
    expect(parseQuantityText('123456789012345678.25', '.')).toBe(Number('123456789012345678.25'));
    expect(parseQuantityText('0.12345678901234567890', '.')).toBe(Number('0.12345678901234567890'));
    const bytes = cp1250('-1\u00a0000,5');
    expect(parseQuantity(bytes, 0, bytes.length, ',')).toBe(-1000.5);
  });

  it('takes no currency and gives NaN for empty or unreadable text', () => {
    for (const text of ['', ' ', '5 zł', 'x', '1,5,']) expect(parseQuantityText(text, ',')).toBeNaN();
  });

  it('agrees with Number() on any decimal a program would print', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (value) => {
        const text = String(value);
        fc.pre(!text.includes('e'));
        expect(parseQuantityText(text, '.')).toBe(Number(text) === 0 ? 0 : Number(text));
      }),
    );
  });
});

describe('parseDate', () => {
  it('reads every date format of the issue', () => {
    expect(day('2023-04-30')).toBe('2023-04-30');
    expect(day('30.04.2023')).toBe('2023-04-30');
    expect(day('30/04/2023')).toBe('2023-04-30');
    expect(day('20230430')).toBe('2023-04-30');
    expect(day('45046')).toBe('2023-04-30');
    expect(day(' 5.1.2023 ')).toBe('2023-01-05');
    expect(day('2023-1-5')).toBe('2023-01-05');
  });

  it('gives NaN for impossible dates', () => {
    for (const text of ['31.04.2023', '29.02.2023', '2023-02-29', '20230229', '2023-13-01', '00.01.2023', '2023-00-10', '0000-01-01']) {
      expect(day(text)).toBeNull();
    }
    expect(day('29.02.2024')).toBe('2024-02-29');
    expect(day('29.02.2000')).toBe('2000-02-29');
    expect(day('29.02.1900')).toBeNull();
  });

  it('gives NaN for text that is no date of an accepted shape', () => {
    for (const text of ['', ' ', 'abc', '2023/04/30', '30-04-2023', '30.04.23', '202304300', '123456', '2023-04-30x', '2023-04-30T', '-5', '12.05']) {
      expect(day(text)).toBeNull();
    }
  });

  it('accepts a time of day after the date, as ERP exports add it, and keeps the date as written', () => {
    expect(day('2023-04-30T00:00:00')).toBe('2023-04-30');
    expect(day('2023-04-30 23:59')).toBe('2023-04-30');
    expect(day('2023-04-30T23:59:59.999Z')).toBe('2023-04-30');
    expect(day('2023-04-30T00:00:00+02:00')).toBe('2023-04-30');
    expect(day('2023-04-30T00:00:00-0130')).toBe('2023-04-30');
    expect(day('30.04.2023 8:15')).toBe('2023-04-30');
    for (const text of ['2023-04-30T24:00', '2023-04-30T12', '2023-04-30T12:60', '2023-04-30 12:00 x', '20230430T12:00', '2023-04-30T12:00+1']) {
      expect(day(text)).toBeNull();
    }
  });

  it('reads Excel serials in the 1900 date system, refusing the fictitious 1900-02-29', () => {
    expect(day('1')).toBe('1900-01-01');
    expect(day('59')).toBe('1900-02-28');
    expect(day('60')).toBeNull();
    expect(day('61')).toBe('1900-03-01');
    expect(day('0')).toBeNull();
    expect(day('99999')).toBe('2173-10-13');
    expect(day('45046.75')).toBe('2023-04-30');
    expect(day('45046,5')).toBe('2023-04-30');
    expect(formatDay(excelSerialToDay(2958465))).toBe('9999-12-31');
    expect(excelSerialToDay(2958466)).toBeNaN();
    expect(formatDay(parseDateText('2958465', 'excel-serial'))).toBe('9999-12-31');
    expect(parseDateText('2958466', 'excel-serial')).toBeNaN();
  });

  it('agrees with Excel serials computed from the Unix epoch for every serial after the leap-year bug', () => {
    fc.assert(
      fc.property(fc.integer({ min: 61, max: 2958465 }), (serial) => {
        expect(excelSerialToDay(serial)).toBe(serial - 25569);
      }),
    );
  });

  it('with a forced format accepts that shape only', () => {
    expect(formatDay(parseDateText('05.01.2023', 'DD.MM.YYYY'))).toBe('2023-01-05');
    expect(parseDateText('2023-01-05', 'DD.MM.YYYY')).toBeNaN();
    expect(parseDateText('05/01/2023', 'DD.MM.YYYY')).toBeNaN();
    expect(formatDay(parseDateText('05/01/2023', 'DD/MM/YYYY'))).toBe('2023-01-05');
    expect(formatDay(parseDateText('2023-01-05', 'YYYY-MM-DD'))).toBe('2023-01-05');
    expect(parseDateText('20230105', 'YYYY-MM-DD')).toBeNaN();
    expect(formatDay(parseDateText('20230105', 'YYYYMMDD'))).toBe('2023-01-05');
    expect(parseDateText('44931', 'YYYYMMDD')).toBeNaN();
    expect(formatDay(parseDateText('44931', 'excel-serial'))).toBe('2023-01-05');
    expect(parseDateText('20230105', 'excel-serial')).toBeNaN();
  });

  it('reads back any day of years 1000 to 9999 written in each format', () => {
    const first = dayFromCivil(1000, 1, 1);
    const last = dayFromCivil(9999, 12, 31);
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (dayNumber) => {
        const iso = formatDay(dayNumber);
        const [y, m, d] = iso.split('-');
        expect(parseDateText(iso, null)).toBe(dayNumber);
        expect(parseDateText(`${d}.${m}.${y}`, null)).toBe(dayNumber);
        expect(parseDateText(`${d}/${m}/${y}`, null)).toBe(dayNumber);
        expect(parseDateText(`${y}${m}${d}`, null)).toBe(dayNumber);
      }),
    );
  });
});

describe('isBlank', () => {
  it('is true for empty and whitespace-only ranges in either encoding', () => {
    expect(isBlank(utf8(''), 0, 0)).toBe(true);
    expect(isBlank(utf8(' \t\u00a0'), 0, 4)).toBe(true);
    expect(isBlank(cp1250(' \u00a0'), 0, 2)).toBe(true);
    expect(isBlank(utf8(' 0 '), 0, 3)).toBe(false);
  });
});

describe('detectDecimal', () => {
  it('tells a decimal comma from a decimal point', () => {
    expect(detectDecimal(['12,50', '3', '1 234,00'])).toBe(',');
    expect(detectDecimal(['1.234,56'])).toBe(',');
    expect(detectDecimal(['1.234.567'])).toBe(',');
    expect(detectDecimal(['12.50', '7'])).toBe('.');
    expect(detectDecimal(['1,234.56'])).toBe('.');
    expect(detectDecimal(['1,234,567'])).toBe('.');
    expect(detectDecimal(['0,125'])).toBe(',');
    expect(detectDecimal(['1234,567'])).toBe(',');
    expect(detectDecimal(['1 234,567'])).toBe(',');
  });

  it('gives a point when every sample is an integer', () => {
    expect(detectDecimal(['12', '-3', '1 000'])).toBe('.');
    expect(detectDecimal([])).toBe('.');
  });

  it('is ambiguous when the samples cannot tell or disagree', () => {
    expect(detectDecimal(['1,234', '5'])).toBe('ambiguous');
    expect(detectDecimal(['1.234'])).toBe('ambiguous');
    expect(detectDecimal(['1,5', '2.5'])).toBe('ambiguous');
  });

  it('lets an overwhelming majority win over a few odd values, and ambiguous samples follow the votes', () => {
    const samples = [...Array.from({ length: 40 }, () => '12,50'), '3.5', '1,234'];
    expect(detectDecimal(samples)).toBe(',');
    expect(detectDecimal([...Array.from({ length: 10 }, () => '12,50'), '3.5'])).toBe('ambiguous');
  });
});
