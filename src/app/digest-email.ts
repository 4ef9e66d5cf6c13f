/**
 * The daily digest as an e-mail: a subject, a plain-text body and an HTML one, in Polish (the users
 * have no language of their own yet, and the company is Polish) or English. Account names and offers
 * are users' data: the HTML escapes every one of them. Links go to the dossiers and the win-back page
 * when the server's public address is known (KAMERTON_PUBLIC_URL); without it the mail has none,
 * since an address guessed from the listening socket (127.0.0.1:3000) would be wrong for the reader.
 */
import type { Digest, DigestLanguage, LostEntry, OverdueEntry, SlippingEntry } from './digest.ts';

export type DigestEmail = { subject: string; text: string; html: string };

type Texts = {
  subject: (day: string, counts: Digest['counts']) => string;
  greeting: (name: string) => string;
  intro: (day: string) => string;
  slipping: string;
  newlyLost: string;
  overdue: string;
  daysWithout: (days: number) => string;
  pAlive: (percent: string) => string;
  reasons: string;
  lostOn: (day: string) => string;
  due: (day: string, days: number) => string;
  reason: Record<string, string>;
  offer: (type: string, percent: number | null) => string;
  openDigest: string;
  openWinBack: string;
  footer: string;
};

function plural(language: DigestLanguage, n: number, forms: { one: string; few: string; many: string }): string {
  if (n === 1) return forms.one;
  if (language === 'en') return forms.many;
  const tens = n % 100;
  const units = n % 10;
  return units >= 2 && units <= 4 && (tens < 12 || tens > 14) ? forms.few : forms.many;
}

function formatDay(language: DigestLanguage, day: string): string {
  const [year, month, date] = day.split('-');
  return language === 'pl' ? `${date}.${month}.${year}` : day;
}

const TEXTS: Record<DigestLanguage, Texts> = {
  pl: {
    subject: (day, c) => `Kamerton, na dziś (${formatDay('pl', day)}): odpływający ${c.slipping}, nowo utraceni ${c.newlyLost}, zaległe działania ${c.overdue}`,
    greeting: (name) => `Dzień dobry, ${name}!`,
    intro: (day) => `Twoi klienci kluczowi i działania na dziś, ${formatDay('pl', day)}.`,
    slipping: 'Odpływający klienci kluczowi',
    newlyLost: 'Klienci kluczowi utraceni w ostatnich 7 dniach',
    overdue: 'Zaległe działania odzyskiwania',
    daysWithout: (days) => `${days} ${plural('pl', days, { one: 'dzień', few: 'dni', many: 'dni' })} bez zakupu`,
    pAlive: (percent) => `prawdopodobieństwo aktywności ${percent}`,
    reasons: 'powody',
    lostOn: (day) => `utracony ${formatDay('pl', day)}`,
    due: (day, days) => `termin ${formatDay('pl', day)} (${days} ${plural('pl', days, { one: 'dzień', few: 'dni', many: 'dni' })} po terminie)`,
    reason: {
      'days-without-purchase': 'długo bez zakupu',
      'p-alive-below': 'niskie prawdopodobieństwo aktywności',
      'unusual-gap': 'nietypowo długa przerwa w zakupach',
      'p-alive-drop': 'spadek prawdopodobieństwa aktywności',
      'purchased-again': 'ponowny zakup',
    },
    offer: (type, percent) => ({
      'special-offer': 'oferta specjalna',
      gift: 'prezent',
      discount: percent === null ? 'rabat' : `rabat ${formatPercentNumber('pl', percent)}%`,
      other: 'inne działanie',
    } as Record<string, string>)[type] ?? type,
    openDigest: 'Otwórz w Kamertonie',
    openWinBack: 'Działania odzyskiwania',
    footer: 'Tę wiadomość wysyła Kamerton codziennie, gdy jest o czym napisać.',
  },
  en: {
    subject: (day, c) => `Kamerton, today (${day}): slipping ${c.slipping}, newly lost ${c.newlyLost}, overdue actions ${c.overdue}`,
    greeting: (name) => `Good morning, ${name}!`,
    intro: (day) => `Your key clients and actions for today, ${day}.`,
    slipping: 'Key clients slipping away',
    newlyLost: 'Key clients lost in the last 7 days',
    overdue: 'Overdue win-back actions',
    daysWithout: (days) => `${days} ${plural('en', days, { one: 'day', few: 'days', many: 'days' })} without a purchase`,
    pAlive: (percent) => `probability of being active ${percent}`,
    reasons: 'reasons',
    lostOn: (day) => `lost on ${day}`,
    due: (day, days) => `due ${day} (${days} ${plural('en', days, { one: 'day', few: 'days', many: 'days' })} overdue)`,
    reason: {
      'days-without-purchase': 'long without a purchase',
      'p-alive-below': 'low probability of being active',
      'unusual-gap': 'an unusually long gap between purchases',
      'p-alive-drop': 'the probability of being active fell',
      'purchased-again': 'bought again',
    },
    offer: (type, percent) => ({
      'special-offer': 'special offer',
      gift: 'gift',
      discount: percent === null ? 'discount' : `${formatPercentNumber('en', percent)}% discount`,
      other: 'other action',
    } as Record<string, string>)[type] ?? type,
    openDigest: 'Open in Kamerton',
    openWinBack: 'Win-back actions',
    footer: 'Kamerton sends this message every day when there is something to report.',
  },
};

function formatPercentNumber(language: DigestLanguage, value: number): string {
  return new Intl.NumberFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: 2 }).format(value);
}

function formatProbability(language: DigestLanguage, value: number): string {
  return new Intl.NumberFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(value);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The digest as an e-mail in `language`; `appUrl` (no trailing slash) adds links to the dossiers. */
export function renderDigestEmail(digest: Digest, language: DigestLanguage = 'pl', appUrl: string | null = null): DigestEmail {
  const t = TEXTS[language];
  const base = appUrl?.replace(/\/+$/, '') ?? null;
  const dossier = (accountId: string): string | null => (base === null ? null : `${base}/accounts/${encodeURIComponent(accountId)}`);

  const facts = (entry: SlippingEntry): string[] => {
    const parts: string[] = [];
    if (entry.daysSinceLastPurchase !== null) parts.push(t.daysWithout(entry.daysSinceLastPurchase));
    if (entry.pAlive !== null) parts.push(t.pAlive(formatProbability(language, entry.pAlive)));
    if (entry.reasons.length > 0) parts.push(`${t.reasons}: ${entry.reasons.map((code) => t.reason[code] ?? code).join(', ')}`);
    return parts;
  };
  const slippingLine = (entry: SlippingEntry): string => facts(entry).join('; ');
  const lostLine = (entry: LostEntry): string => [t.lostOn(entry.changedOn), ...facts(entry)].join('; ');
  const overdueLine = (entry: OverdueEntry): string =>
    [t.offer(entry.offerType, entry.discountPercent), ...(entry.offer === null ? [] : [entry.offer]), t.due(entry.dueOn, entry.daysOverdue)].join('; ');

  type Item = { accountId: string; name: string; line: string };
  const sections: { title: string; items: Item[]; link: string | null }[] = [
    { title: t.slipping, items: digest.slipping.map((e) => ({ accountId: e.accountId, name: e.accountName, line: slippingLine(e) })), link: null },
    { title: t.newlyLost, items: digest.newlyLost.map((e) => ({ accountId: e.accountId, name: e.accountName, line: lostLine(e) })), link: null },
    {
      title: t.overdue,
      items: digest.overdue.map((e) => ({ accountId: e.accountId, name: e.accountName, line: overdueLine(e) })),
      link: base === null ? null : `${base}/win-back`,
    },
  ].filter((section) => section.items.length > 0);

  const text = [
    t.greeting(digest.user.name),
    '',
    t.intro(digest.day),
    ...sections.flatMap((section) => [
      '',
      `${section.title} (${section.items.length})`,
      ...section.items.flatMap((item) => {
        const link = dossier(item.accountId);
        return [`- ${item.name}: ${item.line}`, ...(link === null ? [] : [`  ${link}`])];
      }),
      ...(section.link === null ? [] : [`${t.openWinBack}: ${section.link}`]),
    ]),
    '',
    ...(base === null ? [] : [`${t.openDigest}: ${base}/digest`, '']),
    t.footer,
    '',
  ].join('\n');

  const h = escapeHtml;
  const html = [
    '<!doctype html>',
    `<html lang="${language}"><head><meta charset="utf-8"><title>${h(t.subject(digest.day, digest.counts))}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; color: #212529; line-height: 1.5">',
    `<p>${h(t.greeting(digest.user.name))}</p>`,
    `<p>${h(t.intro(digest.day))}</p>`,
    ...sections.flatMap((section) => [
      `<h2 style="font-size: 18px; margin: 24px 0 8px">${h(section.title)} (${section.items.length})</h2>`,
      '<ul>',
      ...section.items.map((item) => {
        const link = dossier(item.accountId);
        const name = link === null ? `<strong>${h(item.name)}</strong>` : `<a href="${h(link)}"><strong>${h(item.name)}</strong></a>`;
        return `<li>${name}: ${h(item.line)}</li>`;
      }),
      '</ul>',
      ...(section.link === null ? [] : [`<p><a href="${h(section.link)}">${h(t.openWinBack)}</a></p>`]),
    ]),
    ...(base === null ? [] : [`<p><a href="${h(`${base}/digest`)}">${h(t.openDigest)}</a></p>`]),
    `<p style="color: #495057; font-size: 13px">${h(t.footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');

  return { subject: t.subject(digest.day, digest.counts), text, html };
}
