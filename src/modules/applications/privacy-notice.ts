/**
 * The privacy notice's version. 個人情報保護法 21条 / 27条: an applicant is told the 利用目的 and the recipients
 * before giving data, and their consent is stored with the version of the notice they saw (applications
 * keep it in consent_notice_version). Change this string whenever the text of /privacy changes meaning.
 * The retention period the notice states is the setting RETENTION_DAYS (config.retentionDays), which the
 * retention job also uses, so the two cannot drift apart.
 */
export const PRIVACY_NOTICE_VERSION = '2026-11-25';
