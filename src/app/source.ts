/**
 * What a ledger source's name may be. A module of its own, with no imports, so that the command line
 * checks `--source` at start-up without loading the import and its database modules.
 */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/;

export const SOURCE_RULE = '1 to 40 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit';
