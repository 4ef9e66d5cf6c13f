/**
 * The packed rollup's format: how `ledger_packs` (src/db/schema/ledger.ts) keeps an account's days in
 * one byte string, which ledger-store.ts packs in SQL, ledger-copy.ts writes for the accounts a first
 * import creates, migration 0004 packed for the ledgers stored before it, and analysis-store.ts reads.
 * A module of its own, without the schema's query builder, because the import and the run load it.
 */

/** The bytes of a day: int4 day (days since 1970-01-01), int8 revenue, int8 margin, int4 lines, int4 purchase lines, big-endian. */
export const PACKED_DAY_BYTES = 28;

/**
 * An account's days packed in SQL, in day order, from its `ledger_days` rows. The two counts go out
 * as one int8 (lines in its high half): neither is negative (the table's check), so its bytes are
 * those of the two int4s, for one call and one concatenation fewer a day. Migration 0004 packs the
 * same way.
 */
export const PACKED_DAYS = `string_agg(int4send(day - date '1970-01-01') || int8send(revenue) || int8send(margin)
  || int8send(lines::int8 << 32 | purchase_lines), ''::bytea order by day)`;

