// The notice's version lives with the applications that store it; the page shows it.
export { PRIVACY_NOTICE_VERSION } from '../../modules/applications/privacy-notice.js';
