/**
 * The privacy notice's version. 個人情報保護法 21条 / 27条: an applicant is told the 利用目的 and the recipients
 * before giving data, and their consent is stored with the version of the notice they saw (applications
 * keep it in consent_notice_version). Change this string whenever the text of /privacy changes meaning.
 */
export const PRIVACY_NOTICE_VERSION = '2026-11-25';

/**
 * Days after a programme closes before its applicants' personal data is anonymised (issue 3, item 8).
 * The page shows config.retentionDays (RETENTION_DAYS); this is its default.
 */
export const DEFAULT_RETENTION_DAYS = 365;
