/** Message catalogue: Japanese first, English second. Identifiers stay English (STYLE.md 10). */
export type Locale = 'ja' | 'en';

const ja = {
  'site.name': 'マナビDX Quest',
  'site.tagline': '事務局システム',
  'nav.skip': '本文へスキップ',
  'nav.home': 'トップ',
  'nav.dashboard': 'ダッシュボード',
  'nav.organisations': '組織',
  'nav.audit': '監査ログ',
  'nav.outbox': '送信メール',
  'nav.account': 'アカウント',
  'nav.login': 'ログイン',
  'nav.logout': 'ログアウト',
  'nav.main': 'メインメニュー',
  'lang.switch': 'English',
  'lang.switch.label': '表示言語',
  'footer.privacy': 'プライバシーポリシー',
  'footer.accessibility': 'アクセシビリティ方針',
  'footer.operator': '運営: マナビDX Quest 事務局(経済産業省 委託事業)',
  'error.correlation': 'お問い合わせ番号',
  'error.home': 'トップページへ戻る',
  'error.400.title': 'リクエストを処理できませんでした',
  'error.400.body': '送信内容を確認して、もう一度お試しください。',
  'error.403.title': 'このページを表示する権限がありません',
  'error.403.body':
    'アクセス権限がないか、フォームの有効期限が切れました。ページを再読み込みしてからもう一度お試しください。',
  'error.404.title': 'ページが見つかりません',
  'error.404.body': 'お探しのページは移動または削除されたか、URL が間違っている可能性があります。',
  'error.409.title': '処理が競合しました',
  'error.409.body': '他の操作と重なったため処理できませんでした。最新の状態を確認してください。',
  'error.413.title': '送信データが大きすぎます',
  'error.413.body': '送信できる大きさの上限を超えています。内容を減らしてもう一度お試しください。',
  'error.422.title': '入力内容に誤りがあります',
  'error.422.body': '入力内容を確認してください。',
  'error.429.title': 'アクセスが集中しています',
  'error.429.body': '短時間に多くの操作が行われました。しばらく待ってからもう一度お試しください。',
  'error.500.title': 'システムエラーが発生しました',
  'error.500.body': '申し訳ありません。処理中に問題が発生しました。時間をおいて再度お試しください。',
  'error.503.title': 'ただいまサービスを利用できません',
  'error.503.body':
    'システムが一時的に利用できない状態です。しばらく待ってから再度お試しください。入力内容は保存されていない可能性があります。',
  'form.required': '※必須',
  'form.errorSummary': '入力内容に誤りがあります。以下の項目を確認してください。',
} as const;

export type MessageKey = keyof typeof ja;

const en: Partial<Record<MessageKey, string>> = {
  'site.name': 'Manabi DX Quest',
  'site.tagline': 'Secretariat system',
  'nav.skip': 'Skip to main content',
  'nav.home': 'Home',
  'nav.dashboard': 'Dashboard',
  'nav.organisations': 'Organisations',
  'nav.audit': 'Audit log',
  'nav.outbox': 'Outbox',
  'nav.account': 'Account',
  'nav.login': 'Sign in',
  'nav.logout': 'Sign out',
  'nav.main': 'Main menu',
  'lang.switch': '日本語',
  'lang.switch.label': 'Language',
  'footer.privacy': 'Privacy policy',
  'footer.accessibility': 'Accessibility policy',
  'footer.operator': 'Operated by the Manabi DX Quest secretariat for METI',
  'error.correlation': 'Reference number',
  'error.home': 'Back to the top page',
  'error.400.title': 'The request could not be processed',
  'error.400.body': 'Please check what you sent and try again.',
  'error.403.title': 'You do not have permission to view this page',
  'error.403.body': 'You lack permission, or the form expired. Reload the page and try again.',
  'error.404.title': 'Page not found',
  'error.404.body': 'The page may have moved or been removed, or the address may be wrong.',
  'error.409.title': 'Conflicting change',
  'error.409.body': 'This clashed with another change. Please check the latest state.',
  'error.413.title': 'Request too large',
  'error.413.body': 'What you sent is over the size limit. Please send less and try again.',
  'error.422.title': 'Please check your input',
  'error.422.body': 'Some fields need attention.',
  'error.429.title': 'Too many requests',
  'error.429.body': 'Please wait a moment and try again.',
  'error.500.title': 'A system error occurred',
  'error.500.body': 'Sorry, something went wrong. Please try again later.',
  'error.503.title': 'Service temporarily unavailable',
  'error.503.body': 'The system is temporarily unavailable. Please try again shortly.',
  'form.required': '* Required',
  'form.errorSummary': 'There is a problem. Please check the fields below.',
};

export function t(locale: Locale, key: MessageKey): string {
  return (locale === 'en' ? en[key] : undefined) ?? ja[key];
}

export function parseLocale(v: string | undefined | null): Locale | undefined {
  return v === 'ja' || v === 'en' ? v : undefined;
}
